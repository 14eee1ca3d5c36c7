package dev.t2i.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices clients that hang up while their request is still generating, so that the generation
 * can be cancelled instead of holding the queue.
 * <p>
 * The JDK's HTTP server stops reading a connection while its exchange is open, so it never sees
 * the client close it, and its API does not expose the socket. The kernel does see it: on Linux
 * the server's end of a connection the client closed turns to {@code CLOSE_WAIT} in
 * {@code /proc/net/tcp} (or {@code tcp6}), and one the client reset leaves the table. Every
 * {@value #PERIOD_MS} ms, while any request is watched, this reads those tables once and calls
 * back for each watched connection that is in either state. A connection that was never seen
 * open (another system, tables not readable) is not watched: the request deadline still bounds it.
 */
final class ClientWatch implements AutoCloseable {
    static final int PERIOD_MS = 200;
    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    private static final String ESTABLISHED = "01";
    private static final String CLOSE_WAIT = "08";

    /** The server's end of one connection: its local port and the client's address. */
    record Connection(int localPort, InetAddress remote, int remotePort) {
        static Connection of(InetSocketAddress local, InetSocketAddress remote) {
            return new Connection(local.getPort(), remote.getAddress(), remote.getPort());
        }
    }

    private static final class Watched {
        final Runnable onGone;
        boolean seenOpen;
        int scans;

        Watched(Runnable onGone) {
            this.onGone = onGone;
        }
    }

    private final Map<Connection, Watched> watched = new ConcurrentHashMap<>();
    private final Path[] tables;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "t2i-client-watch");
        t.setDaemon(true);
        return t;
    });

    ClientWatch() {
        this(TABLES);
    }

    ClientWatch(Path... tables) {
        this.tables = tables;
        timer.scheduleWithFixedDelay(this::scan, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Calls {@code onGone} once if the client of {@code c} hangs up before {@link #unwatch} is called. */
    void watch(Connection c, Runnable onGone) {
        watched.put(c, new Watched(onGone));
    }

    void unwatch(Connection c) {
        watched.remove(c);
    }

    private void scan() {
        if (watched.isEmpty()) {
            return;
        }
        Map<Connection, String> states = readTables();
        for (var e : watched.entrySet()) {
            Watched w = e.getValue();
            String state = states.get(e.getKey());
            w.scans++;
            if (ESTABLISHED.equals(state)) {
                w.seenOpen = true;
            } else if (CLOSE_WAIT.equals(state) || (state == null && w.seenOpen)) {
                if (watched.remove(e.getKey(), w)) {
                    w.onGone.run();
                }
            } else if (!w.seenOpen && w.scans >= 3) {
                watched.remove(e.getKey(), w); // not in the tables: nothing to learn here
            }
        }
    }

    /** Connection states by connection, from every table that can be read. */
    private Map<Connection, String> readTables() {
        Map<Connection, String> states = new HashMap<>();
        for (Path table : tables) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(table)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4 || !f[0].endsWith(":") || !f[1].contains(":")) {
                        continue; // the header
                    }
                    Connection c = parse(f[1], f[2]);
                    if (c != null) {
                        states.put(c, f[3]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a table that cannot be read tells nothing; the deadline still applies
            }
        }
        return states;
    }

    /** {@code 0100007F:1F90} (IPv4) or 32 hex digits (IPv6), each 32-bit word in host (little-endian) order. */
    static Connection parse(String local, String remote) {
        int lp = local.lastIndexOf(':');
        int rp = remote.lastIndexOf(':');
        if (lp < 0 || rp < 0) {
            return null;
        }
        InetAddress address = address(remote.substring(0, rp));
        if (address == null) {
            return null;
        }
        return new Connection(Integer.parseInt(local.substring(lp + 1), 16), address,
                Integer.parseInt(remote.substring(rp + 1), 16));
    }

    private static InetAddress address(String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            // an IPv4-mapped IPv6 address comes back as the IPv4 address, as the JDK reports the client
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        watched.clear();
    }
}
