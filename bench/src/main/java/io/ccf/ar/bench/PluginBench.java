package io.ccf.ar.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.files.CachingFileHasher;
import io.ccf.ar.runtime.files.FileHasher;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.registry.LockFile;

/**
 * {@code make bench}: plugin spawn-to-ready, Execute round trips and idle RSS, for our host with
 * our plugin and with the Go plugin, and the Go host anchors, all in one run (the machine is shared
 * and noisy, so only same-run ratios mean much). Prints a Markdown report on stdout.
 *
 * <p>Usage: {@code java -jar bench.jar PLUGINS_DIR GO_DIR [calls]} where PLUGINS_DIR holds
 * {@code sample/1.0.0/sample.jar} (and its class-data archive) and GO_DIR the interop binaries.
 * {@code -Dbench.spawnOnly=true}: the spawn tables only; {@code -Dbench.baselineJar=FILE}: also this sample jar
 * against another build of it.
 */
public final class PluginBench {
    private static final int SPAWNS = 10;

    private final Path pluginsDir;
    private final Path goDir;
    private final int calls;
    private final int warmup;
    private final Path scratch;

    private PluginBench(Path pluginsDir, Path goDir, int calls, Path scratch) {
        this.pluginsDir = pluginsDir;
        this.goDir = goDir;
        this.calls = calls;
        this.warmup = Math.max(50_000, calls);
        this.scratch = scratch;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("AR_LOG_LEVEL", "WARN");
        if (args.length < 2) {
            System.err.println("usage: PluginBench PLUGINS_DIR GO_DIR [calls]");
            System.exit(2);
        }
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        Path scratch = Files.createTempDirectory("ar-bench");
        new PluginBench(Path.of(args[0]).toAbsolutePath(), Path.of(args[1]).toAbsolutePath(), calls, scratch).run();
    }

    private void run() throws Exception {
        PackageRef sample = new PackageRef("sample", "1.0.0");
        PackageLayout installed = new PackageLayout(pluginsDir);
        if (!Files.isRegularFile(installed.versionDir(sample).resolve("sample.jsa"))) {
            System.err.println("warning: no class-data archive beside the sample jar; run `make build` first");
        }
        // Same jar without its archive, and the Go plugin, laid out in a scratch plugins dir.
        PackageLayout plain = new PackageLayout(scratch);
        Path plainDir = Files.createDirectories(plain.versionDir(sample));
        Files.copy(installed.versionDir(sample).resolve("sample.jar"), plainDir.resolve("sample.jar"), StandardCopyOption.REPLACE_EXISTING);
        PackageRef go = new PackageRef("goplugin", "0.1.0");
        Path goPluginDir = Files.createDirectories(plain.versionDir(go));
        Files.copy(goDir.resolve("goplugin"), goPluginDir.resolve("goplugin"), StandardCopyOption.REPLACE_EXISTING);

        PluginHostOptions defaults = PluginHostOptions.defaults();
        PluginHostOptions c2 = PluginHostOptions.builder().jvmOptions(List.of("-XX:+UseSerialGC")).build();
        List<String> c1Flags = new ArrayList<>(PluginHostOptions.DEFAULT_JVM_OPTIONS);
        c1Flags.add("-XX:TieredStopAtLevel=1");
        PluginHostOptions c1 = PluginHostOptions.builder().jvmOptions(c1Flags).build();

        out("# Plugin benchmark");
        out("");
        out("JDK " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores; " + calls + " measured calls per round after " + warmup + " warm-up calls.");
        out("Java plugin JVM options (default): `" + String.join(" ", defaults.jvmOptions()) + "`");
        out("");
        out("## Spawn to ready (launch, handshake, health check), median of " + SPAWNS);
        out("");
        out("| plugin | median ms | min ms | max ms |");
        out("|---|---|---|---|");
        spawnRow("sample.jar + AppCDS archive (default options)", installed, sample, defaults);
        spawnRow("sample.jar, no archive (default options)", plain, sample, defaults);
        spawnRow("sample.jar + AppCDS archive, `-XX:+UseSerialGC` only", installed, sample, c2);
        spawnRow("sample.jar + AppCDS archive, default + `-XX:TieredStopAtLevel=1`", installed, sample, c1);
        Path pluginJava = pluginJava();
        if (pluginJava != null) {
            // pluginHost.java on a JDK with AOT caches: the cache `make build` trained for this jar
            PluginHostOptions newer = PluginHostOptions.builder().javaCommand(pluginJava).build();
            String jdk = pluginJava.getParent().getParent().getFileName().toString();
            spawnRow("sample.jar + AOT cache, `pluginHost.java`: " + jdk + " (default options)", installed, sample, newer);
            List<String> newerC1 = new ArrayList<>(PluginHostOptions.DEFAULT_JVM_OPTIONS);
            newerC1.add("-XX:TieredStopAtLevel=1");
            spawnRow("sample.jar + AOT cache, `pluginHost.java`: " + jdk + ", default + `-XX:TieredStopAtLevel=1`",
                    installed, sample, PluginHostOptions.builder().javaCommand(pluginJava).jvmOptions(newerC1).build());
        }
        spawnRow("Go plugin", plain, go, defaults);
        // auto-mTLS is on by default (one certificate per side per launch, TLS handshake): its cost
        PluginHostOptions plaintext = PluginHostOptions.builder().autoMTLS(false).build();
        spawnRow("sample.jar + AppCDS archive (default options), `autoMTLS: false`", installed, sample, plaintext);
        spawnRow("Go plugin, `autoMTLS: false`", plain, go, plaintext);
        floorRow("floor: `java -version` (the daemon's JDK)", defaults.javaCommand());
        if (pluginJava != null) {
            floorRow("floor: `java -version` (" + pluginJava.getParent().getParent().getFileName() + ")", pluginJava);
        }
        out("");
        lockCheck(installed, sample);
        out("");
        String baselineJar = System.getProperty("bench.baselineJar");
        if (baselineJar != null) {
            compareJars(Path.of(baselineJar).toAbsolutePath(), installed, plain, sample, defaults, "default options");
            compareJars(Path.of(baselineJar).toAbsolutePath(), installed, plain, sample, plaintext, "`autoMTLS: false`");
        }
        if (Boolean.getBoolean("bench.spawnOnly")) {
            return;
        }
        out("## Execute round trips");
        out("");
        out("| host → plugin | c | p50 µs | p99 µs | calls/s |");
        out("|---|---|---|---|---|");
        Rss sampleRss = roundTrips("Java host → Java sample (default options)", installed, sample, defaults);
        Rss c2Rss = roundTrips("Java host → Java sample (`-XX:+UseSerialGC` only)", installed, sample, c2);
        Rss c1Rss = roundTrips("Java host → Java sample (default + `-XX:TieredStopAtLevel=1`)", installed, sample, c1);
        Rss goRss = roundTrips("Java host → Go plugin (unix socket)", plain, go, defaults);
        goHost("Go host → Go plugin (anchor)", false, goDir.resolve("goplugin").toString());
        // our host has auto-mTLS on by default, a Go host (go-plugin's ClientConfig) off: both, each way, same run
        roundTrips("Java host → Java sample (default options), `autoMTLS: false`", installed, sample,
                PluginHostOptions.builder().autoMTLS(false).build());
        goHost("Go host → Go plugin (anchor), go-plugin `AutoMTLS: true`", true, goDir.resolve("goplugin").toString());
        List<String> javaPlugin = new ArrayList<>(List.of(defaults.javaCommand().toString(), "-Xlog:disable", "-Xlog:all=warning:stderr"));
        javaPlugin.addAll(defaults.jvmOptions());
        javaPlugin.addAll(List.of("-XX:SharedArchiveFile=" + installed.versionDir(sample).resolve("sample.jsa"), "-Xshare:auto",
                "-jar", installed.versionDir(sample).resolve("sample.jar").toString()));
        goHost("Go host → Java sample (default options)", false, javaPlugin.toArray(String[]::new));
        out("");
        out("## Idle plugin RSS (3 s idle after start, and after the round trips)");
        out("");
        out("| plugin | after start MB | after load MB |");
        out("|---|---|---|");
        rssRow("Java sample (default options)", sampleRss);
        rssRow("Java sample (`-XX:+UseSerialGC` only)", c2Rss);
        rssRow("Java sample (default + `-XX:TieredStopAtLevel=1`)", c1Rss);
        rssRow("Go plugin", goRss);
    }

    /**
     * The JVM for the pluginHost.java rows: {@code -Dbench.pluginJava=PATH}, else a JDK 25 under /usr/lib/jvm
     * (the first AOT-cache JDK), else none (the rows are left out).
     */
    private static Path pluginJava() throws IOException {
        String configured = System.getProperty("bench.pluginJava");
        if (configured != null) {
            return configured.isBlank() ? null : Path.of(configured);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (var dirs = Files.list(jvms)) {
            return dirs.filter(d -> d.getFileName().toString().matches(".*\\D25\\D.*"))
                    .map(d -> d.resolve("bin/java")).filter(Files::isExecutable).sorted().findFirst().orElse(null);
        }
    }

    /** Spawn to exit of {@code java -version}: what any JVM costs before a plugin's own code runs. */
    private static void floorRow(String label, Path java) throws IOException, InterruptedException {
        long[] millis = new long[SPAWNS];
        for (int i = 0; i < SPAWNS; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(java.toString(), "-Xshare:auto", "-version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
            millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
        Arrays.sort(millis);
        out("| " + label + " | " + millis[SPAWNS / 2] + " | " + millis[0] + " | " + millis[SPAWNS - 1] + " |");
    }

    /** The host's plugins.lock check of the sample jar before a launch: hashing it, and the remembered hash. */
    private void lockCheck(PackageLayout installed, PackageRef ref) throws IOException {
        Path jar = installed.versionDir(ref).resolve("sample.jar");
        PackageLayout scratchLayout = new PackageLayout(scratch.resolve("locked"));
        Path copy = Files.createDirectories(scratchLayout.versionDir(ref)).resolve("sample.jar");
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        new LockFile(scratchLayout).put(ref, new LockFile.Entry("sample.jar", FileHasher.readSha256Hex(copy), "bench", "now"));
        long[] direct = new long[SPAWNS];
        long[] cached = new long[SPAWNS];
        LockFile rehashing = new LockFile(scratchLayout, FileHasher.DIRECT);
        LockFile remembering = new LockFile(scratchLayout, new CachingFileHasher());
        for (int i = 0; i < SPAWNS; i++) {
            long t0 = System.nanoTime();
            rehashing.requireVerified(ref);
            direct[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            remembering.requireVerified(ref);
            cached[i] = System.nanoTime() - t0;
        }
        Arrays.sort(direct);
        Arrays.sort(cached);
        out("plugins.lock check before a launch (" + Files.size(jar) / 1024 + " KiB jar), median of " + SPAWNS
                + ": hashing the jar " + direct[SPAWNS / 2] / 1000 + " µs; remembered hash (same inode, size, mtime, ctime) "
                + cached[SPAWNS / 2] / 1000 + " µs (first check " + cached[SPAWNS - 1] / 1000 + " µs).");
        out("");
    }

    private static void rssRow(String label, Rss rss) {
        out("| " + label + " | " + rss.afterStartKb / 1024 + " | " + rss.afterLoadKb / 1024 + " |");
    }

    private void spawnRow(String label, PackageLayout layout, PackageRef ref, PluginHostOptions options) {
        long[] millis = new long[SPAWNS];
        for (int i = 0; i < SPAWNS; i++) {
            millis[i] = spawnMillis(layout, ref, options);
        }
        out(spawnCells(label, millis));
    }

    private static String spawnCells(String label, long[] millis) {
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        return "| " + label + " | " + sorted[sorted.length / 2] + " | " + sorted[0] + " | " + sorted[sorted.length - 1] + " |";
    }

    /** Spawn to ready of one launch (the plugin is stopped before this returns). */
    private static long spawnMillis(PackageLayout layout, PackageRef ref, PluginHostOptions options) {
        try (PluginManager manager = new PluginManager(layout, options)) {
            long t0 = System.nanoTime();
            Map<PackageRef, ?> failures = manager.start(List.of(new PluginSpec("p", ref, Map.of())));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (!failures.isEmpty()) {
                throw new IllegalStateException("start failed: " + failures);
            }
            return millis;
        }
    }

    /**
     * {@code -Dbench.baselineJar=FILE}: the sample jar against another build of it (e.g. before a shading change),
     * each with and without its own class-data archive, launches interleaved so that the machine's noise falls on
     * both alike.
     */
    private void compareJars(Path baselineJar, PackageLayout installed, PackageLayout plain, PackageRef sample,
                             PluginHostOptions options, String optionsLabel) throws Exception {
        PackageLayout baseline = new PackageLayout(scratch.resolve("baseline"));
        PackageLayout baselinePlain = new PackageLayout(scratch.resolve("baseline-plain"));
        if (!Files.isDirectory(baseline.pluginsDir())) {
            for (PackageLayout layout : List.of(baseline, baselinePlain)) {
                Files.copy(baselineJar, Files.createDirectories(layout.versionDir(sample)).resolve("sample.jar"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            io.ccf.ar.runtime.tools.ClassDataArchiveTrainer.main(new String[] {
                    baseline.pluginsDir().toString(), sample.name(), sample.version()});
        }
        List<String> labels = List.of("baseline jar + AppCDS archive", "this jar + AppCDS archive",
                "baseline jar, no archive", "this jar, no archive");
        List<PackageLayout> layouts = List.of(baseline, installed, baselinePlain, plain);
        long[][] millis = new long[layouts.size()][SPAWNS];
        for (int i = 0; i < SPAWNS; i++) {
            for (int v = 0; v < layouts.size(); v++) {
                millis[v][i] = spawnMillis(layouts.get(v), sample, options);
            }
        }
        out("## Spawn to ready, baseline jar vs this jar, " + optionsLabel + " (" + baselineJar.getFileName() + " "
                + Files.size(baselineJar) / 1024 + " KiB vs " + Files.size(installed.versionDir(sample).resolve("sample.jar")) / 1024
                + " KiB), interleaved launches, median of " + SPAWNS);
        out("");
        out("| plugin | median ms | min ms | max ms |");
        out("|---|---|---|---|");
        for (int v = 0; v < layouts.size(); v++) {
            out(spawnCells(labels.get(v), millis[v]));
        }
        out("");
    }

    private record Rss(long afterStartKb, long afterLoadKb) {
    }

    /** Warm-up, then a c=1 and a c=8 round on one plugin process. Returns its idle RSS. */
    private Rss roundTrips(String label, PackageLayout layout, PackageRef ref, PluginHostOptions options) throws Exception {
        try (PluginManager manager = new PluginManager(layout, options)) {
            manager.start(List.of(new PluginSpec("p", ref, Map.of())));
            long pid = manager.client("p").pid().orElseThrow();
            Thread.sleep(3000); // a benchmark's idle period, not synchronisation
            long afterStart = rssKb(pid);
            Subject subject = manager.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjects(0);
            ExecuteInput input = ExecuteInput.newBuilder().setSubject(subject).putProps("namespace", "busy").build();
            round(manager, input, warmup, 8);
            for (int concurrency : new int[] {1, 8}) {
                Latency l = round(manager, input, calls, concurrency);
                out("| " + label + " | " + concurrency + " | " + l.p50us + " | " + l.p99us + " | " + l.callsPerSec + " |");
            }
            Thread.sleep(3000); // a benchmark's idle period, not synchronisation
            return new Rss(afterStart, rssKb(pid));
        }
    }

    record Latency(long p50us, long p99us, long callsPerSec) {
    }

    static Latency round(PluginManager manager, ExecuteInput input, int calls, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        int perThread = calls / concurrency;
        List<Future<long[]>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            futures.add(pool.submit(() -> {
                long[] nanos = new long[perThread];
                for (int i = 0; i < perThread; i++) {
                    long s = System.nanoTime();
                    manager.execute("p", input);
                    nanos[i] = System.nanoTime() - s;
                }
                return nanos;
            }));
        }
        long[] all = new long[perThread * concurrency];
        int k = 0;
        for (Future<long[]> f : futures) {
            for (long n : f.get()) {
                all[k++] = n;
            }
        }
        long elapsed = System.nanoTime() - t0;
        pool.shutdown();
        Arrays.sort(all);
        return new Latency(all[all.length / 2] / 1000, all[(int) (all.length * 0.99)] / 1000,
                Math.round(all.length / (elapsed / 1e9)));
    }

    private void goHost(String label, boolean autoMTLS, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(goDir.resolve("gohost").toString(), "-calls", String.valueOf(calls),
                "-warmup", String.valueOf(warmup), "-concurrency", "1,8"));
        if (autoMTLS) {
            cmd.add("-automtls");
        }
        cmd.add("--");
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : output.split("\n")) {
            if (line.contains("\"benchCalls\"")) {
                out("| " + label + " | " + field(line, "concurrency") + " | " + field(line, "p50us") + " | "
                        + field(line, "p99us") + " | " + Math.round(Double.parseDouble(field(line, "callsPerSec"))) + " |");
            }
        }
        if (p.exitValue() != 0) {
            out("| " + label + " | gohost failed (exit " + p.exitValue() + "): " + output.replace('\n', ' ') + " |||");
        }
    }

    /** Reads a numeric field of gohost's flat JSON line. */
    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":");
        int start = at + name.length() + 3;
        int end = start;
        while (end < json.length() && ",}".indexOf(json.charAt(end)) < 0) {
            end++;
        }
        return json.substring(start, end);
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void out(String line) {
        System.out.println(line);
    }
}
