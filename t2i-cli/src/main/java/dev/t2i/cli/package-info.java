/**
 * The {@code t2i} command line and its benchmarks: {@link dev.t2i.cli.Main} dispatches to one
 * {@link dev.t2i.cli.Command} per subcommand ({@code train}, {@code sample},
 * {@code generate-batch}, {@code bundle}, {@code serve}, {@code demo}, {@code bench} and the rest).
 * Each command only parses options and calls the packages that do the work, so everything it offers
 * is also there for a Java application. This package is where process-wide settings are made,
 * because the command line owns its process and the libraries never do: {@code Main} sets
 * {@code java.awt.headless}, picks ND4J's native build, its threads per op and DL4J's layer helpers
 * at start-up, and the {@code train}, {@code demo} and {@code serve} commands opt into the
 * process-wide memory housekeeping of {@code dev.t2i.runtime}.
 *
 * <p>Uses: every module (t2i-core, t2i-data, t2i-train, t2i-eval, t2i-server) and their packages,
 * Apache Commons CLI, Jackson and ND4J; at run time it brings the ND4J backend
 * ({@code nd4j-native}, or CUDA with {@code -Pcuda}) and the SLF4J binding. Nothing else depends on
 * it.
 */
package dev.t2i.cli;
