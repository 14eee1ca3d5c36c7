package dev.t2i.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.t2i.T2iException;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.runtime.Workers;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SamplerTest {
    @Test
    void namesParseToTheConstantsAndUnknownNamesSayWhatIsKnown() {
        assertSame(Sampler.EULER, Sampler.parse("euler"));
        assertSame(Sampler.HEUN, Sampler.parse("HEUN"));
        assertEquals("euler", Sampler.EULER.id());
        assertEquals("heun", Sampler.HEUN.toString());
        assertEquals(Sampler.EULER, new EulerSampler());
        assertNotEquals(Sampler.EULER, Sampler.HEUN);
        T2iException e = assertThrows(T2iException.class, () -> Sampler.parse("ddim"));
        assertEquals("unknown sampler 'ddim' (use euler or heun)", e.getMessage());
        assertThrows(T2iException.class, () -> Sampler.parse(null));
    }

    @Test
    void jsonAndYamlCarryTheNameAsBefore() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("\"heun\"", json.writeValueAsString(Sampler.HEUN));
        assertEquals("[\"euler\",\"heun\"]", json.writeValueAsString(Sampler.ALL));
        assertSame(Sampler.HEUN, json.readValue("\"heun\"", Sampler.class));
        String defaults = json.writeValueAsString(new Preset.SampleDefaults(20, 5.0, Sampler.HEUN));
        assertEquals("{\"steps\":20,\"cfg\":5.0,\"sampler\":\"heun\"}", defaults);
        assertEquals(new Preset.SampleDefaults(20, 5.0, Sampler.HEUN),
                json.readValue(defaults, Preset.SampleDefaults.class));
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        assertSame(Sampler.EULER, yaml.readValue("steps: 3\nsampler: Euler\n", Preset.SampleDefaults.class).sampler());
        Exception bad = assertThrows(Exception.class, () -> json.readValue("{\"sampler\":\"rk4\"}",
                Preset.SampleDefaults.class));
        assertTrue(String.valueOf(T2iException.within(bad)).contains("unknown sampler 'rk4' (use euler or heun)"),
                bad.toString());
    }

    @Test
    void bothSamplersIntegrateAConstantFieldExactly() {
        INDArray x1 = Nd4j.rand(2, 3);
        INDArray c = Nd4j.createFromArray(new float[][] {{0.5f, -1f, 2f}, {1f, 0f, -0.25f}});
        for (Sampler s : Sampler.ALL) {
            INDArray x0 = s.integrate((x, t) -> c.dup(), x1, 7);
            assertTrue(x0.equalsWithEps(x1.sub(c), 1e-5), s + " " + x0);
        }
    }

    @Test
    void heunIsExactForAFieldLinearInTimeAndEulerIsNot() {
        // v = 2t·b integrates from 1 to 0 to a total displacement of b
        INDArray x1 = Nd4j.rand(4);
        INDArray b = Nd4j.createFromArray(1f, -2f, 0.5f, 3f);
        VelocityField field = (x, t) -> b.mul(2 * t);
        INDArray heun = Sampler.HEUN.integrate(field, x1, 5);
        INDArray euler = Sampler.EULER.integrate(field, x1, 5);
        assertTrue(heun.equalsWithEps(x1.sub(b), 1e-5));
        // Euler with N steps overshoots by b/N
        assertTrue(euler.equalsWithEps(x1.sub(b.mul(1 + 1.0 / 5)), 1e-5));
    }

    static DitNetwork randomTinyModel() {
        DitNetwork m = DitGraph.build(DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(1).numHeads(2)
                .mlpRatio(2.0).contextDim(16).contextLen(4).numClasses(2).build(), 3);
        // the final layer starts at zero; give it values so the velocity depends on the inputs
        Nd4j.getRandom().setSeed(5);
        m.graph().getArrForVarName("final_proj.weight").assign(Nd4j.randn(m.graph().getArrForVarName(
                "final_proj.weight").shape()).muli(0.1));
        return m;
    }

    static Conditioning text(int b, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray mask = Nd4j.ones(b, 4);
        mask.putScalar(0, 3, 0.0);
        return new Conditioning(Nd4j.randn(new long[] {b, 4, 16}), mask, null);
    }

    @Test
    void guidanceScaleOneIsTheConditionalVelocityAndBatchingMatchesTwoPasses() {
        DitNetwork m = randomTinyModel();
        Conditioning cond = text(2, 1);
        Conditioning uncond = text(2, 2);
        INDArray x = Nd4j.randn(new long[] {2, 3, 8, 8});
        INDArray t = Nd4j.valueArrayOf(2, 0.3f);
        INDArray vc = m.velocity(x, t, cond.context(), cond.mask(), null);
        INDArray vcCopy = vc.dup();
        INDArray again = m.velocity(x, t, cond.context(), cond.mask(), null);
        assertEquals(0.0, again.sub(vc).amaxNumber().doubleValue(), 0.0, "the same inputs give the same output");
        INDArray vu = m.velocity(x, t, uncond.context(), uncond.mask(), null);
        assertTrue(vc.equalsWithEps(vcCopy, 0), "an output stays valid after the next call");
        assertTrue(vc.sub(vu).amaxNumber().doubleValue() > 1e-4, "conditioning changes the velocity");

        INDArray w1 = new GuidedVelocity(m, cond, uncond, 1.0).velocity(x, 0.3);
        assertEquals(0.0, w1.sub(vc).amaxNumber().doubleValue(), 1e-6, "w = 1 gives the conditional velocity");
        INDArray w75 = new GuidedVelocity(m, cond, uncond, 7.5).velocity(x, 0.3);
        INDArray twoPass = vu.add(vc.sub(vu).mul(7.5));
        assertEquals(0.0, w75.sub(twoPass).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void imagesShardedOverWorkersGetTheSameVelocity() {
        DitNetwork m = randomTinyModel();
        Conditioning cond = text(5, 1);
        Conditioning uncond = text(5, 2);
        INDArray x = Nd4j.randn(new long[] {5, 3, 8, 8});
        INDArray one = guidedOn(1, m, cond, uncond, x);
        INDArray two = guidedOn(2, m, cond, uncond, x);
        assertEquals(0.0, two.sub(one).amaxNumber().doubleValue(), 1e-5, "2 shards (3 + 2 images) vs one batch");
    }

    /** The guided velocity (w = 4, t = 0.6) with {@code workers} workers, restoring the default after. */
    private static INDArray guidedOn(int workers, DitNetwork m, Conditioning cond, Conditioning uncond, INDArray x) {
        try {
            Workers.configure(workers);
            return new GuidedVelocity(m, cond, uncond, 4.0).velocity(x, 0.6);
        } finally {
            Workers.configure(Workers.defaultCount());
        }
    }

    @Test
    void oneImageRunsItsTwoPassesOnTwoWorkersWithTheSameVelocity() {
        DitNetwork m = randomTinyModel();
        Conditioning cond = text(1, 1);
        Conditioning uncond = text(1, 2);
        INDArray x = Nd4j.randn(new long[] {1, 3, 8, 8});
        INDArray batched = guidedOn(1, m, cond, uncond, x);
        INDArray split = guidedOn(2, m, cond, uncond, x);
        INDArray t = Nd4j.valueArrayOf(1, 0.6f);
        INDArray vc = m.velocity(x, t, cond.context(), cond.mask(), null);
        INDArray vu = m.velocity(x, t, uncond.context(), uncond.mask(), null);
        INDArray twoPass = vu.add(vc.sub(vu).mul(4.0));
        assertEquals(0.0, split.sub(twoPass).amaxNumber().doubleValue(), 1e-5, "conditional and null pass side by side");
        assertEquals(0.0, split.sub(batched).amaxNumber().doubleValue(), 1e-5, "as the two rows in one batch");
    }

    @Test
    void outsideTheGuidanceIntervalTheVelocityIsTheConditionalOneOnEveryWorkerSplit() {
        DitNetwork m = randomTinyModel();
        GuidanceInterval interval = new GuidanceInterval(0.2, 0.85);
        // 1 image on 1 and 2 workers (one batch; passes side by side), 5 images on 2 (shards)
        for (int[] c : new int[][] {{1, 1}, {1, 2}, {5, 1}, {5, 2}}) {
            int b = c[0];
            Conditioning cond = text(b, 1);
            Conditioning uncond = text(b, 2);
            INDArray x = Nd4j.randn(new long[] {b, 3, 8, 8});
            try {
                Workers.configure(c[1]);
                for (double t : new double[] {0.1, 0.2, 0.5, 0.85, 0.95}) {
                    INDArray times = Nd4j.valueArrayOf(b, (float) t);
                    INDArray vc = m.velocity(x, times, cond.context(), cond.mask(), null);
                    INDArray vu = m.velocity(x, times, uncond.context(), uncond.mask(), null);
                    INDArray expected = interval.contains(t) ? vu.add(vc.sub(vu).mul(4.0)) : vc;
                    try (GuidedVelocity field = new GuidedVelocity(m, cond, uncond, 4.0, interval)) {
                        INDArray v = field.velocity(x, t);
                        assertEquals(0.0, v.sub(expected).amaxNumber().doubleValue(), 1e-5,
                                b + " images on " + c[1] + " workers at t = " + t);
                    }
                    // closing the field left the caller's conditioning usable (the next t reads it)
                }
            } finally {
                Workers.configure(Workers.defaultCount());
            }
        }
    }

    @Test
    void aGuidanceIntervalIsReadFromTheCommandLineAndConfigFilesAndRefusesBadTimes() throws Exception {
        assertEquals(new GuidanceInterval(0.2, 0.85), GuidanceInterval.parse(" 0.2, 0.85"));
        assertEquals("0.2,0.85", new GuidanceInterval(0.2, 0.85).toString());
        assertEquals("0,1", GuidanceInterval.FULL.toString());
        assertTrue(GuidanceInterval.FULL.full() && !new GuidanceInterval(0, 0.9).full());
        for (String bad : new String[] {"0.2", "0.9,0.2", "-0.1,0.5", "0.2,1.5", "a,b", "0.1,0.2,0.3"}) {
            T2iException e = assertThrows(T2iException.class,
                    () -> GuidanceInterval.parse(bad), bad);
            assertTrue(e.getMessage().contains("0.2,0.85"), e.getMessage());
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Preset.SampleDefaults d = yaml.readValue("steps: 20\ncfg: 6\ncfg_interval: [0.2, 0.85]\n",
                Preset.SampleDefaults.class);
        assertEquals(new GuidanceInterval(0.2, 0.85), d.cfgInterval());
        assertEquals(new GuidanceInterval(0.2, 0.85), d.options(3).cfgInterval());
        assertEquals(d, yaml.readValue(yaml.writeValueAsString(d), Preset.SampleDefaults.class),
                "written and read back");
        assertEquals(GuidanceInterval.FULL, yaml.readValue("cfg: 6\n", Preset.SampleDefaults.class).cfgInterval(),
                "files written before intervals guide at every time");
        Exception e = assertThrows(Exception.class,
                () -> yaml.readValue("cfg_interval: [0.9, 0.2]\n", Preset.SampleDefaults.class));
        assertTrue(String.valueOf(e.getMessage()).contains("0 <= from <= to <= 1"), e.getMessage());
    }

}
