package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {
    @Test
    void aMessageOnATerminalClearsTheBarItReplaces() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainingProgress p = new TrainingProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 400);
        p.step(156, 0.5, 100, 60, false);
        p.message("epoch 1 mean loss 0.8882");
        String out = buf.toString(StandardCharsets.UTF_8);
        int bar = out.indexOf("156/400");
        int message = out.indexOf("epoch 1");
        assertTrue(bar >= 0 && message > bar, out);
        // carriage return, then erase to the end of the line, then the message: no bar tail after it
        assertEquals("\r\033[Kepoch 1 mean loss 0.8882" + System.lineSeparator(), out.substring(message - 4));
    }

    @Test
    void logFilesGetPlainLinesOnlyWhenAsked() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainingProgress p = new TrainingProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 10);
        p.step(1, 0.5, 100, 60, false);
        p.step(2, 0.25, 100, 59, true);
        p.message("done");
        assertEquals("step 2/10 loss 0.2500 100.0 img/s ETA 0m59s" + System.lineSeparator() + "done"
                + System.lineSeparator(), buf.toString(StandardCharsets.UTF_8));
    }
}
