/**
 * The trainer: flow-matching training of a DiT with exact resume. {@link dev.t2i.train.TrainingRun}
 * is how a Java application starts a run (a preset, a data source and a run folder in; a trained
 * model with checkpoints, {@code metrics.csv}, {@code run.json}, a loss curve and sample grids
 * out), and the command line's {@code train} and {@code demo} are thin clients of it.
 * {@link dev.t2i.train.Trainer} is the loop: {@link dev.t2i.train.AdamW} on an
 * {@link dev.t2i.train.LrSchedule}, gradient clipping, {@link dev.t2i.train.Ema}, and atomic
 * {@link dev.t2i.train.Checkpoint}s whose {@link dev.t2i.train.RunState} is all a resume needs,
 * since every random draw of a step is a function of (seed, step).
 * {@link dev.t2i.train.LoadedRun} loads a run or checkpoint for sampling. The trainer does no
 * process-wide memory care by itself; a caller that owns the process opts in through
 * {@code TrainingRun.Builder.housekeeping}.
 *
 * <p>Uses: t2i-core (dev.t2i, dev.t2i.runtime, dev.t2i.io, dev.t2i.image, dev.t2i.nn, dev.t2i.clip,
 * dev.t2i.dit, dev.t2i.flow, dev.t2i.conditioning, dev.t2i.sampling, dev.t2i.config), t2i-data's
 * dev.t2i.data, ND4J and SameDiff, Jackson and SLF4J; not the api, server, evaluation or
 * command-line packages.
 */
package dev.t2i.train;
