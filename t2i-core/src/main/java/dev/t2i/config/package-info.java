/**
 * Named configurations. A {@link dev.t2i.config.Preset} bundles a DiT architecture, a training
 * recipe ({@link dev.t2i.config.TrainConfig}) and sampling defaults; presets ship in the jar from
 * the project's {@code config/} folder and are chosen by name, or read from a YAML or JSON file of
 * the same form. {@link dev.t2i.config.Durations} reads time budgets such as {@code 55m}. The
 * records are valid once made (the constructor names the first bad field), so a typo in a file is
 * reported on reading instead of after hours of training.
 *
 * <p>Uses: dev.t2i, dev.t2i.dit, dev.t2i.flow, dev.t2i.sampling, and Jackson with its YAML format;
 * nothing above the config layer (no bundle or api).
 */
package dev.t2i.config;
