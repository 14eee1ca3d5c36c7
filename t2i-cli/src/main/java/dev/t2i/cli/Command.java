package dev.t2i.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One subcommand of {@code t2i}: its name, summary, options and action. */
public interface Command {
    /** The word after {@code t2i}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Usage synopsis after the command name, e.g. {@code --clip PATH PROMPT...}. */
    default String usage() {
        return "[options]";
    }

    /** The options it accepts. */
    Options options();

    /**
     * Runs the command. Bad input throws {@link dev.t2i.T2iException} with a one-line message.
     *
     * @return the process exit code
     */
    int run(CommandLine cmd) throws Exception;
}
