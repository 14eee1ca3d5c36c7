package dev.t2i;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps t2i-core's packages layered as the data flows: each layer uses only the layers below it,
 * no package cycle, the public API used by nothing inside the module. Between modules Maven
 * enforces the layering (data, train, eval, server and cli each see only what their pom
 * declares; docs/DESIGN.md, "Modules").
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.t2i");

    /** Layer name and its packages, bottom first. */
    private static final List<String[]> LAYERS = List.of(
            new String[] {"foundation", "dev.t2i", "dev.t2i.random..", "dev.t2i.platform.."},
            new String[] {"runtime", "dev.t2i.runtime.."},
            new String[] {"formats", "dev.t2i.io", "dev.t2i.tokenizer..", "dev.t2i.image.."},
            new String[] {"layers", "dev.t2i.nn..", "dev.t2i.io.torch.."},
            new String[] {"models", "dev.t2i.clip..", "dev.t2i.dit..", "dev.t2i.flow.."},
            new String[] {"conditioning", "dev.t2i.conditioning.."},
            new String[] {"sampling", "dev.t2i.sampling.."},
            new String[] {"config", "dev.t2i.config.."},
            new String[] {"bundle", "dev.t2i.bundle.."},
            new String[] {"api", "dev.t2i.api.."});

    @Test
    void everyPackageIsInOneLayer() {
        // a package outside LAYERS would escape the layering check below
        for (var c : MAIN) {
            String pkg = c.getPackageName();
            long owners = LAYERS.stream().filter(l -> Arrays.stream(l).skip(1).anyMatch(p -> covers(p, pkg))).count();
            org.junit.jupiter.api.Assertions.assertEquals(1, owners, pkg + " belongs to " + owners + " layers");
        }
    }

    private static boolean covers(String pattern, String pkg) {
        return pattern.endsWith("..") ? pkg.equals(pattern.substring(0, pattern.length() - 2))
                || pkg.startsWith(pattern.substring(0, pattern.length() - 1)) : pkg.equals(pattern);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String[] l : LAYERS) {
            arch = arch.layer(l[0]).definedBy(Arrays.copyOfRange(l, 1, l.length));
        }
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            String[] above = LAYERS.subList(i + 1, LAYERS.size()).stream().map(l -> l[0]).toArray(String[]::new);
            arch = arch.whereLayer(LAYERS.get(i)[0]).mayOnlyBeAccessedByLayers(above);
        }
        arch.whereLayer("api").mayNotBeAccessedByAnyLayer().check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.t2i.(**)").should().beFreeOfCycles().check(MAIN);
    }
}
