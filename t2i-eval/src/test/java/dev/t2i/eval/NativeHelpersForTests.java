package dev.t2i.eval;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Turns DL4J's native layer helpers on where they pay before any test runs, as the command line does. */
public final class NativeHelpersForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ImageClassifier.useNativeHelpersWherePaying();
    }
}
