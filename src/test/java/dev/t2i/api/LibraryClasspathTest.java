package dev.t2i.api;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API as another project sees it: the library's classes and their dependencies, nothing
 * from the tests or the command line.
 */
class LibraryClasspathTest {
    private static Path mainClasses() throws Exception {
        return Path.of(T2iModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void apiAndServerClassesDoNotReferToTheCommandLine() throws Exception {
        Path classes = mainClasses();
        for (String pkg : List.of("dev/t2i/api", "dev/t2i/server", "dev/t2i/bundle")) {
            List<Path> files;
            try (Stream<Path> s = Files.list(classes.resolve(pkg))) {
                files = s.filter(p -> p.toString().endsWith(".class")).toList();
            }
            assertFalse(files.isEmpty(), pkg);
            for (Path f : files) {
                // class references live in the constant pool as UTF-8 internal names
                String pool = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(pool.contains("dev/t2i/cli/"), f + " refers to the command line");
                assertFalse(pool.contains("org/apache/commons/cli/"), f + " refers to commons-cli");
                if (!pkg.equals("dev/t2i/server")) {
                    assertFalse(pool.contains("dev/t2i/server/"), f + " refers to the server");
                }
            }
        }
    }

    @Test
    void theReadmeExampleRunsInAFreshJvmWithOnlyTheLibraryClasspath(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 5);
        Path example = dir.resolve("GenerateExample.java");
        // the README's example application (examples/embed), as it is in the repository
        Files.copy(Path.of("examples/embed/src/main/java/GenerateExample.java"), example);
        String classpath = libraryClasspath();
        assertFalse(classpath.contains("test-classes"), classpath);
        assertFalse(classpath.contains("junit"), classpath);
        Path out = dir.resolve("example");
        // source-file mode compiles the example against that classpath alone, as a user's project would
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.bytedeco.javacpp.maxbytes=2G", "-cp", classpath, example.toString(),
                bundle.toString(), out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        byte[] log = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finishes");
        String text = new String(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("2 images, seed 42"), text);

        try (T2iModel model = T2iModel.load(bundle)) {
            GenerationResult here = model.generate(GenerationRequest.builder("a red circle").seed(42).steps(20)
                    .cfgScale(4.0).imagesPerPrompt(2).build());
            for (int i = 0; i < 2; i++) {
                assertSamePixels(here.image(i), ImageIO.read(Path.of(out + "-" + i + ".png").toFile()),
                        "image " + i + " from the other JVM");
            }
        }
    }

    /** This JVM's classpath without test classes and test-only jars: the library and its dependencies. */
    private static String libraryClasspath() throws IOException {
        String cp = System.getProperty("java.class.path");
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.isBlank())
                .filter(e -> !e.endsWith("test-classes") && !e.endsWith("test-classes/"))
                .filter(e -> {
                    String name = Path.of(e).getFileName().toString();
                    return !(name.startsWith("junit-") || name.startsWith("opentest4j") || name.startsWith("apiguardian")
                            || name.startsWith("surefire") || name.startsWith("common-java5")
                            || name.startsWith("common-junit"));
                })
                .collect(Collectors.joining(File.pathSeparator));
    }
}
