package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The seed configurations count exactly the reference's parameters (REFERENCE.md). */
class DitParameterCountTest {
    @Test
    void textConditionalSeed() {
        assertEquals(18_145_072L, DitGraph.build(DitConfig.seedText(), 0).parameterCount());
    }

    @Test
    void classConditionalSeed() {
        assertEquals(12_379_440L, DitGraph.build(DitConfig.seedText().withVariant(DitConfig.CLASS), 0).parameterCount());
    }

    @Test
    void unconditionalSeed() {
        assertEquals(12_368_176L,
                DitGraph.build(DitConfig.seedText().withVariant(DitConfig.UNCONDITIONAL), 0).parameterCount());
    }
}
