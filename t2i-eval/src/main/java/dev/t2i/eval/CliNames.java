package dev.t2i.eval;

import dev.t2i.T2iException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The command-line names of this package's option enums: the constant's name in lower case with
 * hyphens ({@code CONV_POOL_CONV} is {@code conv-pool-conv}), so an option's choices and its
 * error message come from the enum itself.
 */
final class CliNames {
    private CliNames() {
    }

    /** The command-line name of {@code value}. */
    static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} named {@code name} on the command line.
     *
     * @param what what the option chooses, for the error ("classifier layout")
     * @throws T2iException naming the choices when none matches
     */
    static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(name)) {
                return e;
            }
        }
        throw new T2iException("unknown " + what + " '" + name + "': use " + Arrays.stream(type.getEnumConstants())
                .map(CliNames::of).collect(Collectors.joining(" or ")));
    }
}
