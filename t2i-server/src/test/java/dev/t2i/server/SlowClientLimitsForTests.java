package dev.t2i.server;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Sets the JDK HTTP server's slow-client limits before any test starts a server, as {@code t2i
 * serve} does at start: the JDK reads them once, when its server first loads.
 */
public final class SlowClientLimitsForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        GenerationServer.limitSlowClients(ServerOptions.defaults());
    }
}
