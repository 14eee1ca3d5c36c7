package dev.t2i.cli;

import dev.t2i.T2iException;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/** Small helpers to declare options and read typed values with clear errors. */
final class Args {
    private Args() {
    }

    static Option flag(String name, String desc) {
        return Option.builder().longOpt(name).desc(desc).build();
    }

    static Option value(String name, String arg, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).build();
    }

    static Option values(String name, String arg, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc + " (repeatable)").build();
    }

    static Option required(String name, String arg, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(arg).required().desc(desc).build();
    }

    static Integer intValue(CommandLine cmd, String name) {
        String v = cmd.getOptionValue(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new T2iException("--" + name + " needs a whole number, got '" + v + "'");
        }
    }

    static int intValue(CommandLine cmd, String name, int fallback) {
        Integer v = intValue(cmd, name);
        return v == null ? fallback : v;
    }

    static Long longValue(CommandLine cmd, String name) {
        String v = cmd.getOptionValue(name);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new T2iException("--" + name + " needs a whole number, got '" + v + "'");
        }
    }

    static Double doubleValue(CommandLine cmd, String name) {
        String v = cmd.getOptionValue(name);
        if (v == null) {
            return null;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new T2iException("--" + name + " needs a number, got '" + v + "'");
        }
    }

    static double doubleValue(CommandLine cmd, String name, double fallback) {
        Double v = doubleValue(cmd, name);
        return v == null ? fallback : v;
    }

    static Path path(CommandLine cmd, String name) {
        String v = cmd.getOptionValue(name);
        return v == null ? null : Path.of(v);
    }
}
