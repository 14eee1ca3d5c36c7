package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The seed configurations count exactly the reference's parameters (docs/DESIGN.md). */
class DitParameterCountTest {
    @Test
    void textConditionalSeed() {
        assertEquals(18_145_072L, DitGraph.build(DitConfig.seedText(), 0).parameterCount());
    }

    @Test
    void improvedAddsOnlyTheAdaLnZeroGatesAndTheReadmeSaysSo() throws java.io.IOException {
        DitConfig improved = dev.t2i.config.Preset.resolve("improved").model();
        DitConfig seed = dev.t2i.config.Preset.resolve("seed").model();
        long count = DitGraph.build(improved, 0).parameterCount();
        assertEquals(22_868_272L, count);
        // one gate of width D per modulation, from the 4·D-wide condition: (4D·D + D) per sub-layer,
        // three sub-layers (self-attention, cross-attention, MLP) per block
        int d = seed.embedDim();
        long gates = (long) seed.depth() * 3 * ((long) seed.condDim() * d + d);
        assertEquals(count - 18_145_072L, gates);
        assertEquals(4_723_200L, gates);

        String row = java.nio.file.Files.readAllLines(dev.t2i.TestData.repository().resolve("README.md")).stream()
                .filter(l -> l.startsWith("| `improved` |")).findFirst().orElseThrow();
        for (String fact : new String[] {"22,868,272", "4,723,200", "262,400", "gate"}) {
            org.junit.jupiter.api.Assertions.assertTrue(row.contains(fact), "README's improved row says " + fact);
        }
        org.junit.jupiter.api.Assertions.assertFalse(row.contains("the same network"), row);
    }

    @Test
    void classConditionalSeed() {
        assertEquals(12_379_440L, DitGraph.build(DitConfig.seedText().withVariant(DitConfig.Variant.CLASS), 0).parameterCount());
    }

    @Test
    void unconditionalSeed() {
        assertEquals(12_368_176L,
                DitGraph.build(DitConfig.seedText().withVariant(DitConfig.Variant.UNCONDITIONAL), 0).parameterCount());
    }
}
