package io.ccf.ar.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.tools.ClassDataArchiveTrainer;

/**
 * Execute round trips and plugin RSS of several set-ups, alternated round by round (A, B, C, A, B, C, ...) so
 * that the shared machine's noise falls on all of them alike; prints every round and the medians, and each
 * set-up's ratio to the first Go host → Go plugin anchor of the same round.
 *
 * <p>Usage: {@code java -cp bench.jar io.ccf.ar.bench.ExecuteAbBench GO_DIR VARIANTS_FILE [rounds] [calls]}.
 * Each line of VARIANTS_FILE: {@code label | kind | jar | JVM options} ({@code -} for none; {@code #} comments),
 * kind one of {@code java} (our host, auto-mTLS), {@code java-plain} (our host, {@code autoMTLS: false}),
 * {@code java-go} (our host → the Go plugin), {@code gohost-go}, {@code gohost-go-tls} (the Go pair, without and
 * with go-plugin's AutoMTLS), {@code gohost-java}, {@code gohost-java-tls} (the Go host → a Java plugin jar).
 * Every jar gets its own AppCDS archive, trained once at the start by {@link ClassDataArchiveTrainer}.
 */
public final class ExecuteAbBench {
    private static final PackageRef SAMPLE = new PackageRef("sample", "1.0.0");
    private static final PackageRef GO = new PackageRef("goplugin", "0.1.0");

    private record Variant(String label, String kind, String jar, List<String> jvmOptions) {
        /** {@code default} in the options cell: the host's own defaults (with the JVM-specific ones). */
        boolean hostDefaults() {
            return jvmOptions.equals(List.of("default"));
        }
    }

    private record Figures(double p50c1, double p99c1, double p50c8, double perSecC8, double rssStartMb, double rssLoadMb) {
    }

    private final Path goDir;
    private final Path scratch;
    private final int calls;
    private final int warmup;
    private final Map<String, PackageLayout> layouts = new HashMap<>();

    private ExecuteAbBench(Path goDir, Path scratch, int calls) {
        this.goDir = goDir;
        this.scratch = scratch;
        this.calls = calls;
        this.warmup = Math.max(50_000, calls);
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("AR_LOG_LEVEL", "WARN");
        if (args.length < 2) {
            System.err.println("usage: ExecuteAbBench GO_DIR VARIANTS_FILE [rounds] [calls]");
            System.exit(2);
        }
        List<Variant> variants = parse(Path.of(args[1]));
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        new ExecuteAbBench(Path.of(args[0]).toAbsolutePath(), Files.createTempDirectory("ar-ab"), calls).run(variants, rounds);
    }

    private static List<Variant> parse(Path file) throws IOException {
        List<Variant> variants = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            if (cells.length != 4) {
                throw new IllegalArgumentException("want 'label | kind | jar | options': " + line);
            }
            String options = cells[3].strip();
            variants.add(new Variant(cells[0].strip(), cells[1].strip(), cells[2].strip(),
                    options.equals("-") || options.isEmpty() ? List.of() : List.of(options.split("\\s+"))));
        }
        return variants;
    }

    private void run(List<Variant> variants, int rounds) throws Exception {
        for (Variant v : variants) {
            if (!v.jar().equals("-")) {
                layout(v.jar());
            }
        }
        System.out.println("JDK " + System.getProperty("java.version") + "; " + calls + " calls per round after " + warmup
                + " warm-up calls; " + rounds + " rounds, set-ups alternated within each round");
        System.out.println();
        System.out.println("| round | set-up | c=1 p50 µs | c=1 p99 µs | c=8 p50 µs | c=8 calls/s | RSS start MB | RSS load MB |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        Map<Variant, List<Figures>> all = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            for (Variant v : variants) {
                Figures f = measure(v);
                all.computeIfAbsent(v, k -> new ArrayList<>()).add(f);
                System.out.printf("| %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n", r, v.label(), f.p50c1(), f.p99c1(),
                        f.p50c8(), f.perSecC8(), f.rssStartMb(), f.rssLoadMb());
            }
        }
        Variant anchor = variants.stream().filter(v -> v.kind().equals("gohost-go")).findFirst().orElse(variants.get(0));
        System.out.println();
        System.out.println("Medians of " + rounds + " rounds; ratios to `" + anchor.label() + "` are the median of the per-round ratios.");
        System.out.println();
        System.out.println("| set-up | c=1 p50 µs | c=1 p99 µs | c=8 calls/s | RSS start MB | RSS load MB | p50 / anchor | calls/s / anchor |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        List<Figures> anchors = all.get(anchor);
        for (Variant v : variants) {
            List<Figures> fs = all.get(v);
            double[] p50Ratio = new double[fs.size()];
            double[] tputRatio = new double[fs.size()];
            for (int i = 0; i < fs.size(); i++) {
                p50Ratio[i] = fs.get(i).p50c1() / anchors.get(i).p50c1();
                tputRatio[i] = fs.get(i).perSecC8() / anchors.get(i).perSecC8();
            }
            System.out.printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f |%n", v.label(), median(fs, Figures::p50c1),
                    median(fs, Figures::p99c1), median(fs, Figures::perSecC8), median(fs, Figures::rssStartMb),
                    median(fs, Figures::rssLoadMb), median(p50Ratio), median(tputRatio));
        }
    }

    private PackageLayout layout(String jar) throws IOException {
        PackageLayout existing = layouts.get(jar);
        if (existing != null) {
            return existing;
        }
        PackageLayout layout = new PackageLayout(scratch.resolve("jar" + layouts.size()));
        Path dir = Files.createDirectories(layout.versionDir(SAMPLE));
        Files.copy(Path.of(jar), dir.resolve("sample.jar"), StandardCopyOption.REPLACE_EXISTING);
        ClassDataArchiveTrainer.train(layout, SAMPLE, Optional.empty());
        Path goPlugin = Files.createDirectories(layout.versionDir(GO)).resolve("goplugin");
        Files.copy(goDir.resolve("goplugin"), goPlugin, StandardCopyOption.REPLACE_EXISTING);
        layouts.put(jar, layout);
        return layout;
    }

    private Figures measure(Variant v) throws Exception {
        return switch (v.kind()) {
            case "java" -> ourHost(v, SAMPLE, true);
            case "java-plain" -> ourHost(v, SAMPLE, false);
            case "java-go" -> ourHost(v, GO, true);
            case "gohost-go" -> goHost(false, goDir.resolve("goplugin").toString());
            case "gohost-go-tls" -> goHost(true, goDir.resolve("goplugin").toString());
            case "gohost-java", "gohost-java-tls" -> goHost(v.kind().endsWith("-tls"), javaCommand(v).toArray(String[]::new));
            default -> throw new IllegalArgumentException("unknown kind " + v.kind());
        };
    }

    private List<String> javaCommand(Variant v) throws IOException {
        Path dir = layout(v.jar()).versionDir(SAMPLE);
        List<String> cmd = new ArrayList<>(List.of(PluginHostOptions.defaults().javaCommand().toString(),
                "-Xlog:disable", "-Xlog:all=warning:stderr"));
        cmd.addAll(v.hostDefaults() ? PluginHostOptions.DEFAULT_JVM_OPTIONS : v.jvmOptions());
        cmd.addAll(List.of("-XX:SharedArchiveFile=" + dir.resolve("sample.jsa"), "-Xshare:auto", "-jar",
                dir.resolve("sample.jar").toString()));
        return cmd;
    }

    private Figures ourHost(Variant v, PackageRef ref, boolean autoMtls) throws Exception {
        PackageLayout layout = v.jar().equals("-") ? layout(layouts.keySet().iterator().next()) : layout(v.jar());
        PluginHostOptions.Builder builder = PluginHostOptions.builder().autoMTLS(autoMtls);
        if (!v.hostDefaults()) {
            builder.jvmOptions(v.jvmOptions());
        }
        PluginHostOptions options = builder.build();
        try (PluginManager manager = new PluginManager(layout, options)) {
            manager.start(List.of(new PluginSpec("p", ref, Map.of())));
            long pid = manager.client("p").pid().orElseThrow();
            Thread.sleep(3000); // a benchmark's idle period, not synchronisation
            double rssStart = rssKb(pid) / 1024.0;
            Subject subject = manager.evaluate("p", EvaluateInput.getDefaultInstance()).getSubjects(0);
            ExecuteInput input = ExecuteInput.newBuilder().setSubject(subject).putProps("namespace", "busy").build();
            round(manager, input, warmup, 8);
            long[] c1 = round(manager, input, calls, 1);
            long[] c8 = round(manager, input, calls, 8);
            Thread.sleep(3000); // a benchmark's idle period, not synchronisation
            double rssLoad = rssKb(pid) / 1024.0;
            if (v.jvmOptions().stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking"))) {
                // where the after-load RSS is, for the notes (stderr)
                new ProcessBuilder("jcmd", Long.toString(pid), "VM.native_memory", "summary").inheritIO()
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(scratch.resolve("nmt.txt").toFile())).start().waitFor();
                Files.writeString(scratch.resolve("pmap-" + pid + ".txt"), new String(new ProcessBuilder("pmap", "-x",
                        Long.toString(pid)).start().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                System.err.println("NMT and pmap of " + v.label() + " in " + scratch);
            }
            return new Figures(c1[0], c1[1], c8[0], c8[2], rssStart, rssLoad);
        }
    }

    /** p50 µs, p99 µs, calls/s: PluginBench's measurement, as an array for the rows here. */
    private static long[] round(PluginManager manager, ExecuteInput input, int calls, int concurrency) throws Exception {
        PluginBench.Latency l = PluginBench.round(manager, input, calls, concurrency);
        return new long[] {l.p50us(), l.p99us(), l.callsPerSec()};
    }

    private Figures goHost(boolean autoMtls, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(goDir.resolve("gohost").toString(), "-calls", String.valueOf(calls),
                "-warmup", String.valueOf(warmup), "-concurrency", "1,8"));
        if (autoMtls) {
            cmd.add("-automtls");
        }
        cmd.add("--");
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        double[] c1 = null;
        double[] c8 = null;
        for (String line : output.split("\n")) {
            if (line.contains("\"benchCalls\"")) {
                double[] f = {Double.parseDouble(field(line, "p50us")), Double.parseDouble(field(line, "p99us")),
                        Double.parseDouble(field(line, "callsPerSec"))};
                if (field(line, "concurrency").equals("1")) {
                    c1 = f;
                } else {
                    c8 = f;
                }
            }
        }
        if (p.exitValue() != 0 || c1 == null || c8 == null) {
            throw new IllegalStateException("gohost failed (exit " + p.exitValue() + "): " + output);
        }
        return new Figures(c1[0], c1[1], c8[0], c8[2], Double.NaN, Double.NaN);
    }

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

    private static double median(List<Figures> fs, ToDoubleFunction<Figures> f) {
        return median(fs.stream().mapToDouble(f).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
