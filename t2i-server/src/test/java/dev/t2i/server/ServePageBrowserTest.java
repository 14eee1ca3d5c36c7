package dev.t2i.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.t2i.api.BatchingOptions;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ProgressListener;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TextToImage;
import dev.t2i.api.TinyBundles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.remote.CapabilityType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at {@code GET /} in a real browser: Debian's chromium, headless, driven through its
 * chromedriver, against a real server on a tiny bundle. One browser and one server serve every
 * test, in order. Without chromium and chromedriver the tests skip, naming the two packages,
 * unless {@value #REQUIRE_BROWSER} is true (as {@code .ci/run} sets it): then they fail.
 * {@code -Dt2i.chromedriver=PATH} and {@code -Dt2i.chromium=PATH} point elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServePageBrowserTest {
    /** System property (or environment variable T2I_REQUIRE_BROWSER) that turns a missing browser into a failure. */
    static final String REQUIRE_BROWSER = "t2i.requireBrowser";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String XSS = "<img src=x onerror=alert(1)>";
    /** Small limits so that a 400 is easy to ask for; work enough for a long job to cancel. */
    private static final ServerOptions LIMITS = new ServerOptions("127.0.0.1", 0, 64 * 1024, 1000, 8, 8, 120, 8000);

    /**
     * Selenium warns that it has no DevTools bindings for this Chromium; the tests use WebDriver
     * alone. Held here: java.util.logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger[] QUIET = {
        java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
        java.util.logging.Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver")};

    @TempDir
    static Path dir;
    static T2iModel model;
    /** What the server runs: the tiny model, which a test can hold at its first step. */
    static GatedModel gate;
    static GenerationServer server;
    static ChromeDriver driver;
    static WebDriverWait wait;
    static HttpClient client;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        Path chromium = Path.of(System.getProperty("t2i.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("t2i.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            String message = "needs a browser: " + chromium + " or " + chromedriver + " is missing; install Debian's"
                    + " packages chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)";
            // each test skips (or fails) with this message: an abort here would hide it in the report
            missing = browserRequired() ? message + "; they are required here (" + REQUIRE_BROWSER + "=true)"
                    : message;
            return;
        }
        for (java.util.logging.Logger l : QUIET) {
            l.setLevel(Level.SEVERE);
        }
        // the offline default: an untrained (random) text encoder, and the captions its run recorded
        model = T2iModel.load(TinyBundles.captionedBundle(dir, 61, CAPTIONS), BatchingOptions.defaults());
        gate = new GatedModel(model);
        server = GenerationServer.start(gate, LIMITS);
        base = "http://127.0.0.1:" + server.port();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars");
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // an alert stays open, so that the XSS check can see it (none may ever open)
        options.setCapability(CapabilityType.UNHANDLED_PROMPT_BEHAVIOUR, UnexpectedAlertBehaviour.IGNORE);
        // this driver, never one Selenium Manager would download
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
    }

    /** The captions the page's model was trained on. */
    static final List<String> CAPTIONS = List.of("a red circle", "a blue square");

    /** Why the browser tests cannot run here, or null. */
    static String missing;

    @BeforeEach
    void needsTheBrowser() {
        if (missing != null) {
            if (browserRequired()) {
                fail(missing);
            }
            Assumptions.abort(missing);
        }
    }

    static boolean browserRequired() {
        String p = System.getProperty(REQUIRE_BROWSER, System.getenv("T2I_REQUIRE_BROWSER"));
        return p != null && p.strip().toLowerCase(Locale.ROOT).equals("true");
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        if (model != null) {
            model.close();
        }
    }

    /** No page may open an alert, and the console holds no errors but those a test expects. */
    @AfterEach
    void noAlertAndNoConsoleErrors() {
        if (driver == null) {
            return;
        }
        assertNoAlert();
        assertConsoleClean();
    }

    private static List<String> expectedConsoleErrors = new ArrayList<>();

    private static void assertNoAlert() {
        try {
            String text = driver.switchTo().alert().getText();
            driver.switchTo().alert().dismiss();
            fail("the page opened an alert: " + text);
        } catch (NoAlertPresentException expected) {
            // none
        }
    }

    private static void assertConsoleClean() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()
                    && expectedConsoleErrors.stream().noneMatch(e.getMessage()::contains)) {
                errors.add(e.getLevel() + " " + e.getMessage());
            }
        }
        expectedConsoleErrors = new ArrayList<>();
        assertEquals(List.of(), errors, "console errors and warnings");
    }

    private static WebElement el(String id) {
        return driver.findElement(By.id(id));
    }

    private static void set(String id, String value) {
        WebElement e = el(id);
        e.clear();
        if (!value.isEmpty()) {
            e.sendKeys(value);
        }
    }

    private static String value(String id) {
        return el(id).getDomProperty("value");
    }

    private static int galleryCount() {
        return driver.findElements(By.cssSelector("#gallery li")).size();
    }

    private static WebElement waitForGallery(int count) {
        wait.until(d -> galleryCount() >= count || el("generate-error").isDisplayed());
        assertFalse(el("generate-error").isDisplayed(), () -> "error: " + el("generate-error").getText());
        return driver.findElement(By.cssSelector("#gallery li"));
    }

    private static void waitUntilIdle() {
        wait.until(d -> !el("cancel").isDisplayed() && el("generate").isEnabled());
    }

    private static HttpResponse<byte[]> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    @Order(1)
    void thePageLoadsWithTheBundlesDefaultsAndTheServersLimits() throws Exception {
        HttpResponse<byte[]> page = send("GET", "/", null);
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        String html = new String(page.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(html.contains("http://") || html.contains("https://"), "the page loads nothing from elsewhere");
        long assets = 0;
        for (String asset : List.of("/page.js", "/page.css", "/favicon.svg")) {
            HttpResponse<byte[]> a = send("GET", asset, null);
            assertEquals(200, a.statusCode(), asset);
            assertEquals("nosniff", a.headers().firstValue("X-Content-Type-Options").orElseThrow());
            assets += a.body().length;
        }
        for (String path : List.of("/", "/health", "/v1/jobs/nope", "/nothing-here")) {
            HttpResponse<byte[]> r = send("GET", path, null);
            assertTrue(r.headers().firstValue("Content-Security-Policy").isPresent(), path);
            assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), path);
        }
        System.out.printf("GET / is %d bytes; with page.js, page.css and favicon.svg %d bytes%n",
                page.body().length, page.body().length + assets);

        driver.get(base + "/");
        wait.until(d -> el("generate").isEnabled());
        // the bundle's own defaults (4 steps, cfg 3, euler), as /health reports them
        assertEquals(Integer.toString(model.info().defaultSteps()), value("steps"));
        assertEquals(model.info().defaultCfgScale(), Double.parseDouble(value("cfg")));
        assertEquals(model.info().defaultSampler().id(), value("sampler"));
        assertEquals("0,1", value("cfg-interval"), "guidance at every time, the bundle's default");
        assertEquals("1", value("n"));
        assertEquals("", value("seed"));
        assertEquals("1000", el("steps").getDomAttribute("max"), "the server's step limit, from /health");
        assertEquals("8", el("n").getDomAttribute("max"), "the server's image limit, from /health");
        assertTrue(el("model").getText().contains("8×8"), el("model").getText());

        // usable on a phone: nothing wider than a 390-px screen; and back at 1280×800
        for (int[] size : new int[][] {{390, 844}, {1280, 800}}) {
            viewport(size[0], size[1]);
            long scroll = ((Number) js("return document.documentElement.scrollWidth")).longValue();
            long width = ((Number) js("return document.documentElement.clientWidth")).longValue();
            assertTrue(scroll <= width, "at " + size[0] + " px the page is " + scroll + " px wide");
            assertTrue(el("generate").isDisplayed() && el("prompt").isDisplayed());
            if (size[0] == 390) {
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target", "serve-page-phone.png"), driver.getScreenshotAs(OutputType.BYTES));
            }
        }
    }

    @Test
    @Order(8)
    void theTrainingCaptionsFillThePromptAndOtherPromptsGetAHint() {
        driver.get(base + "/");
        wait.until(d -> el("generate").isEnabled());
        WebElement list = el("captions");
        assertTrue(list.isDisplayed(), "an untrained encoder's model offers its captions");
        Select select = new Select(list);
        assertEquals(List.of("Trained on 2 captions: pick one…", "a red circle", "a blue square"),
                select.getOptions().stream().map(WebElement::getText).toList());
        assertEquals("a red circle", el("prompt").getDomAttribute("placeholder"));
        assertFalse(el("prompt-hint").isDisplayed());

        select.selectByVisibleText("a blue square");
        assertEquals("a blue square", value("prompt"));
        assertEquals("", value("captions"), "the list goes back to its title, ready for another pick");
        assertFalse(el("prompt-hint").isDisplayed(), "a training caption needs no hint");

        set("prompt", "a green triangle");
        wait.until(d -> el("prompt-hint").isDisplayed());
        assertTrue(el("prompt-hint").getText().contains("untrained"), el("prompt-hint").getText());
        set("prompt", "A Red   circle");
        wait.until(d -> !el("prompt-hint").isDisplayed());
    }

    /** Sizes the window so that the page itself gets width × height CSS pixels. */
    private static void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        int w = ((Number) js("return window.innerWidth")).intValue();
        int h = ((Number) js("return window.innerHeight")).intValue();
        if (w != width || h != height) {
            driver.manage().window().setSize(new Dimension(2 * width - w, 2 * height - h));
        }
        wait.until(d -> ((Number) js("return window.innerWidth")).intValue() <= width);
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @Test
    @Order(2)
    void generateShowsProgressThenTheImageThatTheApiReturns() throws Exception {
        // record every progress text and whether a live preview was shown, however fast the job
        js("window.__seen = []; window.__previews = 0;"
                + "new MutationObserver(() => window.__seen.push(document.getElementById('progress-text').textContent))"
                + ".observe(document.getElementById('progress-text'), {childList: true, characterData: true, subtree: true});"
                + "new MutationObserver(() => window.__previews++)"
                + ".observe(document.getElementById('preview'), {attributes: true, attributeFilter: ['src']});");
        set("prompt", "a red circle on a blue background");
        set("seed", "1234");
        set("steps", "200");
        int before = galleryCount();
        long t0 = System.nanoTime();
        el("prompt").sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER)); // the keyboard shortcut
        WebElement item = waitForGallery(before + 1);
        long firstImageMs = (System.nanoTime() - t0) / 1_000_000;
        waitUntilIdle();
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) js("return window.__seen");
        assertTrue(seen.stream().anyMatch(s -> s.matches("step [1-9]\\d* of 200")), "progress shown: " + seen);
        assertTrue(((Number) js("return window.__previews")).intValue() >= 1, "a live preview was shown");
        assertEquals("1234", item.getDomAttribute("data-seed"));
        assertTrue(item.getText().contains("seed 1234"), item.getText());

        // the PNG the Download link saves is the one POST /v1/generate returns for these parameters
        HttpResponse<byte[]> api = send("POST", "/v1/generate", "{\"prompt\": \"a red circle on a blue background\","
                + " \"seed\": 1234, \"steps\": 200, \"cfg\": 3, \"sampler\": \"euler\", \"n\": 1}");
        assertEquals(200, api.statusCode());
        WebElement download = item.findElement(By.cssSelector("a.download"));
        assertEquals("t2i-1234.png", download.getDomAttribute("download"));
        assertEquals(item.findElement(By.tagName("img")).getDomAttribute("src"), download.getDomAttribute("href"));
        download.click();
        Path saved = dir.resolve("downloads").resolve("t2i-1234.png");
        wait.until(d -> Files.exists(saved) && saved.toFile().length() == api.body().length);
        assertArrayEquals(api.body(), Files.readAllBytes(saved), "the downloaded PNG is the API's, parameters included");
        assertEquals(1234, GenerationParameters.fromPng(Files.readAllBytes(saved)).seed());
        System.out.printf("time to first image (Ctrl+Enter to the image in the gallery, 200 steps): %d ms%n",
                firstImageMs);

        Path shot = Path.of("target", "serve-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, driver.getScreenshotAs(OutputType.BYTES));
        System.out.println("screenshot: " + shot.toAbsolutePath());
    }

    @Test
    @Order(3)
    void cancelEndsALongJobAndTheNextGenerateWorks() throws Exception {
        set("prompt", "a long job");
        set("seed", "");
        set("steps", "1000");
        set("n", "8");
        el("generate").click();
        wait.until(d -> el("progress-text").getText().matches("step [1-9]\\d* of 1000"));
        el("cancel").click();
        wait.until(d -> el("progress-text").getText().startsWith("cancelled"));
        String text = el("progress-text").getText();
        assertTrue(text.matches("cancelled at step \\d+ of 1000"), text);
        assertTrue(Integer.parseInt(text.replaceAll("\\D+(\\d+) of.*", "$1")) < 1000, text);
        waitUntilIdle();
        assertFalse(el("generate-error").isDisplayed(), () -> el("generate-error").getText());

        int before = galleryCount();
        set("steps", "4");
        set("n", "1");
        set("prompt", "after the cancel");
        el("generate").click();
        waitForGallery(before + 1);
        assertTrue(driver.findElement(By.cssSelector("#gallery li")).getText().contains("after the cancel"));
        waitUntilIdle();
    }

    @Test
    @Order(4)
    void droppingAT2iPngFillsEveryField() throws Exception {
        HttpResponse<byte[]> png = send("POST", "/v1/generate", "{\"prompt\": \"a dropped \\\"quoted\\\" prompt\","
                + " \"negative_prompt\": \"blurry, dark\", \"seed\": 9876543210, \"steps\": 7, \"cfg\": 2.5,"
                + " \"cfg_interval\": [0.3, 0.8], \"sampler\": \"heun\"}");
        assertEquals(200, png.statusCode());
        Path file = dir.resolve("made-by-t2i.png");
        Files.write(file, png.body());
        set("prompt", "something else");
        set("negative", "");
        set("seed", "1");
        set("steps", "3");
        set("cfg", "9");
        set("cfg-interval", "0,1");
        set("n", "3");
        // a drop of that file on the page, as the browser delivers one: a DataTransfer holding it
        WebElement input = (WebElement) js("const i = document.createElement('input'); i.type = 'file';"
                + " i.id = 'test-drop-source'; i.style.display = 'none'; document.body.appendChild(i); return i;");
        input.sendKeys(file.toAbsolutePath().toString());
        js("const i = document.getElementById('test-drop-source'); const dt = new DataTransfer(); dt.items.add(i.files[0]);"
                + " i.remove(); document.querySelector('#results').dispatchEvent(new DragEvent('drop',"
                + " {dataTransfer: dt, bubbles: true, cancelable: true}));");
        wait.until(d -> el("load-status").getText().startsWith("Filled in from made-by-t2i.png"));
        assertEquals("a dropped \"quoted\" prompt", value("prompt"));
        assertEquals("blurry, dark", value("negative"));
        assertEquals("9876543210", value("seed"));
        assertEquals("7", value("steps"));
        assertEquals(2.5, Double.parseDouble(value("cfg")));
        assertEquals("0.3,0.8", value("cfg-interval"));
        assertEquals("heun", value("sampler"));
        assertEquals("1", value("n"));

        // image to image: that PNG, chosen as the initial image, with the strength slider
        el("init-file").sendKeys(file.toAbsolutePath().toString());
        wait.until(d -> el("init-preview").isDisplayed());
        assertTrue(el("strength").isEnabled());
        js("const s = document.getElementById('strength'); s.value = '0.4';"
                + " s.dispatchEvent(new Event('input', {bubbles: true}));");
        assertEquals("0.4", el("strength-value").getText());
        int before = galleryCount();
        el("generate").click();
        WebElement item = waitForGallery(before + 1);
        waitUntilIdle();
        assertTrue(item.getText().contains("seed 9876543210 · 7 steps · cfg 2.5 at t 0.3–0.8 · heun · strength 0.4"), item.getText());
        el("init-clear").click();
        assertFalse(el("strength").isEnabled());
    }

    @Test
    @Order(5)
    void aBadRequestOrATooLargeOneShowsTheServersMessageNextToItsField() {
        set("prompt", "too many steps");
        set("steps", "1001");
        set("n", "1");
        el("generate").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("steps-error")));
        assertEquals("steps must be at most 1000 on this server, got 1001", el("steps-error").getText());
        assertEquals("true", el("steps").getDomAttribute("aria-invalid"));
        assertFalse(el("generate-error").isDisplayed());
        waitUntilIdle();
        // the browser logs the 400 response itself; nothing else may appear
        expectedConsoleErrors.add("/v1/jobs - Failed to load resource: the server responded with a status of 400");
        set("steps", "4");

        // an interval the server refuses: its message, next to the field
        set("cfg-interval", "0.9,0.2");
        el("generate").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("cfg-interval-error")));
        String refused = el("cfg-interval-error").getText();
        assertTrue(refused.contains("0 <= from <= to <= 1"), refused);
        waitUntilIdle();
        set("cfg-interval", "0,1");

        // a prompt longer than the body limit: 413, shown at the prompt with the limit
        js("document.getElementById('prompt').value = 'x'.repeat(70000);");
        el("generate").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("prompt-error")));
        String tooLarge = el("prompt-error").getText();
        assertTrue(tooLarge.startsWith("The request is too large (64 KiB on this server): the body is larger than 65536"),
                tooLarge);
        assertFalse(el("steps-error").isDisplayed(), "the earlier error is gone");
        waitUntilIdle();
        expectedConsoleErrors.add("/v1/jobs - Failed to load resource: the server responded with a status of 413");
    }

    @Test
    @Order(6)
    void aPromptWithHtmlIsShownAsTextAndRunsNothing() {
        js("window.__alerted = false; window.alert = () => { window.__alerted = true; };");
        int before = galleryCount();
        set("prompt", XSS);
        set("steps", "4");
        long t0 = System.nanoTime();
        el("generate").click();
        WebElement item = waitForGallery(before + 1);
        System.out.printf("time to first image (Generate to the image in the gallery, the bundle's 4 steps): %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        waitUntilIdle();
        assertEquals(XSS, item.findElement(By.cssSelector(".prompt")).getText());
        assertEquals(List.of(), driver.findElements(By.cssSelector("img[src='x']")), "no injected element");
        assertEquals(Boolean.FALSE, js("return window.__alerted"));
        assertNull(js("return document.querySelector('[onerror]')"));
    }

    @Test
    @Order(7)
    void aFullQueueShowsBusyWithTheRetryTimeBesideGenerate() throws Exception {
        // the worker held at the first step of the first job, so that however fast this machine is
        // no job ends while the queue is filled and the page asks: the model's queue (64
        // requests) refuses one more through the API, then the page's request
        List<String> jobs = new ArrayList<>();
        gate.hold();
        try {
            String body = "{\"prompt\": \"filler\", \"steps\": 4, \"n\": 8}";
            HttpResponse<byte[]> r = send("POST", "/v1/jobs", body);
            assertEquals(202, r.statusCode());
            jobs.add(jobId(r.body()));
            wait.until(d -> model.queuedRequests() == 0); // the worker has it
            while ((r = send("POST", "/v1/jobs", body)).statusCode() == 202) {
                jobs.add(jobId(r.body()));
                assertTrue(jobs.size() < 200, "the queue never filled");
            }
            assertEquals(503, r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(65, jobs.size(), "one job (a whole batch of 8 images) held on the worker and 64 queued");
            set("prompt", "while busy");
            set("steps", "4");
            set("n", "1");
            el("generate").click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("generate-error")));
            String busy = el("generate-error").getText();
            assertTrue(busy.startsWith("The server is busy: ") && busy.endsWith("Try again in 1 second."), busy);
            waitUntilIdle();
            expectedConsoleErrors.add("/v1/jobs - Failed to load resource: the server responded with a status of 503");
        } finally {
            gate.release();
            for (String id : jobs) {
                send("DELETE", "/v1/jobs/" + id, null);
            }
        }
        // once the fillers are cancelled, the same click generates
        int before = galleryCount();
        wait.until(d -> model.queuedRequests() == 0);
        el("generate").click();
        waitForGallery(before + 1);
        assertFalse(el("generate-error").isDisplayed(), "the busy message is gone after a success");
        waitUntilIdle();
    }

    /** The id in a job's JSON. */
    private static String jobId(byte[] json) throws IOException {
        return dev.t2i.io.ModelArchive.JSON.readTree(json).get("id").asText();
    }

    /**
     * The model behind a gate: while held, its worker waits at the first step of whatever it runs
     * (for at most {@link #WAIT}, so that a failing test cannot hang the suite), and the queue
     * filled behind it stays full.
     */
    static final class GatedModel extends ForwardingModel {
        private volatile CountDownLatch held;

        GatedModel(TextToImage model) {
            super(model);
        }

        void hold() {
            held = new CountDownLatch(1);
        }

        void release() {
            CountDownLatch h = held;
            held = null;
            if (h != null) {
                h.countDown();
            }
        }

        @Override
        public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
            return model.submit(request, p -> awaitGate());
        }

        @Override
        public CompletableFuture<GenerationResult> submit(GenerationRequest request, ProgressListener listener) {
            return model.submit(request, p -> {
                awaitGate();
                listener.onProgress(p);
            });
        }

        private void awaitGate() {
            CountDownLatch h = held;
            if (h != null) {
                try {
                    h.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
