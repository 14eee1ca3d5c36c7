package dev.t2i.cli;

import dev.t2i.T2iException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The {@code t2i} command line: {@code java -jar target/t2i.jar <command> [options]}. A thin
 * client of the library: each command parses options and calls the packages that do the work.
 */
public final class Main {
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.of(new DemoCommand(), new TrainCommand(), new SampleCommand(), new GenerateBatchCommand(),
                new CfgSweepCommand(),
                new AttentionCommand(), new InfoCommand(), new ForwardCommand(), new EncodeCommand(),
                new SimilarityCommand(), new ConvertClipCommand(), new BundleCommand(), new ServeCommand(),
                new TrainClassifierCommand(), new ClassAccuracyCommand(), new EvaluateCommand(),
                new PlotEvaluationsCommand(), new BenchCommand())) {
            COMMANDS.put(c.name(), c);
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code (0 ok, 1 failure, 2 bad usage or input). */
    public static int run(String... args) {
        System.setProperty("java.awt.headless", "true");
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            printCommands();
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            System.err.println("error: unknown command '" + args[0] + "' (run 't2i --help' for the list)");
            return 2;
        }
        Options options = command.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        // before parsing: a command's required options must not stand in the way of its help
        if (java.util.Arrays.asList(rest).contains("-h") || java.util.Arrays.asList(rest).contains("--help")) {
            printHelp(command, options);
            return 0;
        }
        try {
            CommandLine cmd = new DefaultParser().parse(options, rest);
            if (cmd.hasOption("help")) {
                printHelp(command, options);
                return 0;
            }
            // Process-wide settings are the command line's to make, never the library's: which of
            // ND4J's native builds runs (fixed when ND4J loads), DL4J's layer helpers for the judge.
            dev.t2i.platform.NativeBuild.select();
            dev.t2i.eval.ImageClassifier.useNativeHelpersWherePaying();
            dev.t2i.platform.Backend.configureThreads(dev.t2i.platform.CoreSplit.requestedOpThreads());
            return command.run(cmd);
        } catch (ParseException e) {
            System.err.println("error: " + e.getMessage() + " (see 't2i " + command.name() + " --help')");
            return 2;
        } catch (T2iException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (OutOfMemoryError e) {
            System.err.println("error: out of memory (" + e.getMessage() + "); lower --batch or raise -Xmx and"
                    + " -Dorg.bytedeco.javacpp.maxbytes");
            return 1;
        } catch (Exception e) {
            // a full disk is no bug: one line that says so and where, even from a writer that does
            // not report it itself (an IOException from a library, a folder being created)
            dev.t2i.io.DiskFullException full = dev.t2i.io.DiskFullException.find(e);
            if (full != null) {
                System.err.println("error: " + full.getMessage());
                return 1;
            }
            System.err.println("error: " + e);
            if (System.getenv("T2I_DEBUG") != null) {
                e.printStackTrace();
            } else {
                System.err.println("(set T2I_DEBUG=1 for the stack trace)");
            }
            return 1;
        }
    }

    private static void printCommands() {
        System.out.println("t2i: text-to-image with a Diffusion Transformer, flow matching and CLIP, on SameDiff");
        System.out.println();
        System.out.println("usage: java -jar target/t2i.jar <command> [options]   (t2i <command> --help for details)");
        System.out.println();
        for (Command c : COMMANDS.values()) {
            System.out.printf("  %-13s %s%n", c.name(), c.summary());
        }
    }

    private static void printHelp(Command c, Options options) {
        HelpFormatter f = new HelpFormatter();
        PrintWriter out = new PrintWriter(System.out);
        f.printHelp(out, 100, "t2i " + c.name() + " " + c.usage(), c.summary(), options, 2, 2, null);
        out.flush();
    }

    /** Registers a command (for commands living in other packages, e.g. bench, bundle, serve). */
    static void register(Command c) {
        COMMANDS.put(c.name(), c);
    }
}
