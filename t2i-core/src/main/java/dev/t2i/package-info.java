/**
 * What every t2i package shares: {@link dev.t2i.T2iException}, the error for input the user can
 * fix, whose one-line message the command line prints without a stack trace;
 * {@link dev.t2i.LogText}, which makes prompts and captions safe to put in a log line; and
 * {@link dev.t2i.Version}, recorded in the files t2i writes. Together with {@code random} and
 * {@code platform} it is the bottom layer of t2i-core, so it holds nothing that needs more than
 * the JDK.
 *
 * <p>Uses: the JDK only; no other dev.t2i package, so that every one of them may use this one.
 */
package dev.t2i;
