package io.ccf.ar.runtime.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code ar status}'s table: one row per runtime, columns padded to their widest cell, then the job-set verdict. */
public final class FleetTable {
    static final String DIFFERS = "DIFFERS";
    private static final int MAX_ERROR = 100;
    private static final List<String> HEADER = List.of("RUNTIME", "VERSION", "UPTIME", "JOBS", "PLUGINS", "RUNS",
            "SPOOL", "LAST ERROR");

    private FleetTable() {
    }

    public static String render(List<RuntimeStatus> runtimes, JobSetComparison jobs) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (RuntimeStatus r : runtimes) {
            rows.add(List.of(r.runtimeId(), String.valueOf(r.version()), uptime(r.uptimeSeconds()),
                    r.jobCount() + (jobs.differs(r.runtimeId()) ? " " + DIFFERS : ""), plugins(r.plugins()),
                    String.valueOf(r.runsInFlight()), String.valueOf(r.spoolDepth()), lastError(r.lastError())));
        }
        int[] widths = new int[HEADER.size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        out.append(verdict(runtimes, jobs));
        return out.toString();
    }

    private static String verdict(List<RuntimeStatus> runtimes, JobSetComparison jobs) {
        if (jobs.agree()) {
            return runtimes.size() + " runtime(s); every runtime has the same jobs\n";
        }
        StringBuilder out = new StringBuilder();
        out.append(runtimes.size()).append(" runtime(s); job sets differ (the shared schedule needs every runtime to load")
                .append(" the same schedules):\n");
        for (String id : jobs.differing()) {
            out.append("  ").append(id).append(": ")
                    .append(jobs.describe(id).orElse(jobs.reference().isPresent() ? "jobs differ from the most common set"
                            : "no job set is held by more runtimes than the others"))
                    .append('\n');
        }
        return out.toString();
    }

    static String uptime(long seconds) {
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3_600;
        long m = seconds % 3_600 / 60;
        long s = seconds % 60;
        if (d > 0) {
            return d + "d" + h + "h";
        }
        if (h > 0) {
            return h + "h" + m + "m";
        }
        return m > 0 ? m + "m" + s + "s" : s + "s";
    }

    private static String plugins(List<RuntimeStatus.Plugin> plugins) {
        if (plugins.isEmpty()) {
            return "-";
        }
        return plugins.stream().map(p -> p.packageName() + "@" + p.version() + " " + p.state()
                + (p.restarts() > 0 ? " restarts=" + p.restarts() : "")).collect(Collectors.joining(", "));
    }

    private static String lastError(RuntimeStatus.LastError error) {
        if (error == null) {
            return "-";
        }
        String text = error.at() + " " + error.message();
        text = text.replace('\n', ' ').replace('\r', ' ');
        return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR - 3) + "...";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
