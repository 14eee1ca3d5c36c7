package dev.t2i.data.sources;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal sequential reader of tar archives (POSIX ustar, with GNU long names and pax path
 * records), enough to pull files out of a {@code .tar.gz} without a dependency. Not thread-safe.
 */
final class TarReader {
    private static final int BLOCK = 512;
    /** Largest member read into memory: 64 MiB (CIFAR-10's batch files are 30 MB). */
    static final long MAX_CONTENT = 64L << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    /** Unread bytes of the current entry plus its padding to the next block. */
    private long skip;
    private long remaining;

    /** One archive member. */
    record Entry(String name, long size, boolean isFile) {
    }

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next member, or null at the end of the archive. */
    Entry next() throws IOException {
        in.skipNBytes(skip);
        skip = 0;
        remaining = 0;
        String longName = null;
        while (true) {
            if (!readBlock()) {
                return null; // archives written without the end blocks are common enough
            }
            if (isZero(header)) {
                return null;
            }
            verifyChecksum();
            long size = parseSize();
            char type = (char) header[156];
            String name = longName != null ? longName : headerName();
            longName = null;
            if (type == 'L' || type == 'x') {
                byte[] data = readFully(size);
                longName = type == 'L' ? cString(data, 0, data.length) : paxPath(data);
                continue;
            }
            boolean isFile = type == '0' || type == '\0' || type == '7';
            remaining = isFile ? size : 0;
            skip = padded(size);
            return new Entry(name, size, isFile);
        }
    }

    /** The whole content of the current member (which must fit in an array). */
    byte[] readContent() throws IOException {
        // a gzip of a few hundred KB can declare members of gigabytes: read none of those
        if (remaining > MAX_CONTENT) {
            throw new IOException("tar member of " + remaining + " bytes is over the " + MAX_CONTENT
                    + " bytes this reader takes into memory");
        }
        byte[] data = in.readNBytes((int) remaining);
        if (data.length != remaining) {
            throw new EOFException("tar archive ends inside a member");
        }
        skip -= remaining;
        remaining = 0;
        return data;
    }

    private boolean readBlock() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException("tar archive ends inside a header");
        }
        return true;
    }

    private byte[] readFully(long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("tar metadata record of " + size + " bytes; this is not an archive we can read");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar archive ends inside a member");
        }
        in.skipNBytes(padded(size) - size);
        return data;
    }

    private String headerName() {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't'
                && header[260] == 'a' && header[261] == 'r';
        if (ustar) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    /**
     * Sizes are octal text, or big-endian binary when the first byte has its top bit set (GNU's
     * base-256: 0x80 then the value; 0xFF would start a negative one, which no member has).
     */
    private long parseSize() throws IOException {
        if ((header[124] & 0x80) != 0) {
            if ((header[124] & 0xFF) != 0x80) {
                throw new IOException("tar header declares a negative member size; the archive is damaged");
            }
            long size = 0;
            for (int i = 125; i < 136; i++) {
                if (size > Long.MAX_VALUE >>> 8) {
                    throw new IOException("tar header declares a member size beyond 2^63 bytes; the archive is"
                            + " damaged");
                }
                size = (size << 8) | (header[i] & 0xFF);
            }
            return size;
        }
        return parseOctal(124, 12);
    }

    private void verifyChecksum() throws IOException {
        long stored = parseOctal(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
        }
        if (sum != stored) {
            throw new IOException("bad tar header checksum; this is not a tar archive or it is damaged");
        }
    }

    private long parseOctal(int offset, int length) throws IOException {
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                throw new IOException("bad number in tar header; this is not a tar archive or it is damaged");
            }
            value = (value << 3) + (b - '0');
            digits = true;
        }
        return value;
    }

    /** The value of the "path" key among pax records ("LEN key=value\n"), or null. */
    private static String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
