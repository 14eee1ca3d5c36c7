package dev.t2i.platform;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Chooses ND4J's native build before any test loads ND4J, as the command line does at start, so
 * that the tests check the build users get on this machine ({@code T2I_NATIVE_BUILD=generic}
 * runs them on the generic one).
 */
public final class NativeBuildForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeBuild.select().ifPresent(b -> System.err.println("tests run on ND4J's " + b.id() + " native build"));
    }
}
