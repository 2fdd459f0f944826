package io.ccf.ar.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Idle footprint of the daemon as a user runs it: {@code bin/ar} with the sample plugin scheduled
 * every 5 s. Waits for the first finished run, lets it idle, then reads RSS and CPU of the daemon
 * and of its plugin from /proc.
 *
 * <p>Usage: {@code java -cp bench.jar io.ccf.ar.bench.DaemonBench BIN_DIR [idleSeconds]}
 */
public final class DaemonBench {
    private DaemonBench() {
    }

    public static void main(String[] args) throws Exception {
        Path bin = Path.of(args.length > 0 ? args[0] : "bin").toAbsolutePath();
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path work = Files.createTempDirectory("ar-daemon-bench");
        Files.writeString(work.resolve("config.yml"), "runtimeId: bench\npluginsDir: " + bin.resolve("plugins")
                + "\nassessmentsDir: " + work.resolve("assessments") + "\nplugins:\n  - name: busy\n    package: sample\n"
                + "    version: 1.0.0\n    schedule: \"*/5 * * * * *\"\n");
        Process ar = new ProcessBuilder(bin.resolve("ar").toString(), "--config", work.resolve("config.yml").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader log = new BufferedReader(new InputStreamReader(ar.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = log.readLine()) != null && !line.contains("run finished")) {
                // wait for the first complete run
            }
            Thread drain = new Thread(() -> {
                try {
                    while (log.readLine() != null) {
                        // keep the pipe drained while idling
                    }
                } catch (IOException ignored) {
                    // daemon gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            long daemonPid = javaChild(ar.pid());
            long pluginPid = ProcessHandle.of(daemonPid).orElseThrow().children().findFirst().orElseThrow().pid();
            long cpu0 = cpuTicks(daemonPid);
            Thread.sleep(idleSeconds * 1000L); // a benchmark's idle window, not synchronisation
            long cpu1 = cpuTicks(daemonPid);
            double cpuPercent = (cpu1 - cpu0) / 100.0 / idleSeconds * 100; // ticks are 1/100 s
            System.out.println("# Daemon footprint");
            System.out.println();
            System.out.println("`bin/ar` (default AR_JAVA_OPTS) with the sample plugin every 5 s, after " + idleSeconds + " s:");
            System.out.println();
            System.out.println("| process | RSS MB | CPU % of one core over the window |");
            System.out.println("|---|---|---|");
            System.out.println("| daemon | " + rssKb(daemonPid) / 1024 + " | " + String.format("%.2f", cpuPercent) + " |");
            System.out.println("| sample plugin | " + rssKb(pluginPid) / 1024 + " | |");
        } finally {
            ar.toHandle().descendants().forEach(ProcessHandle::destroy);
            ar.destroy();
            ar.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** bin/ar is a shell script that execs java: same pid; fall back to its child if the shell stayed. */
    private static long javaChild(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .filter(c -> c.endsWith("java")).isPresent()
                ? pid
                : ProcessHandle.of(pid).orElseThrow().children().findFirst().orElseThrow().pid();
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        return Long.parseLong(f.get(11)) + Long.parseLong(f.get(12)); // utime + stime
    }
}
