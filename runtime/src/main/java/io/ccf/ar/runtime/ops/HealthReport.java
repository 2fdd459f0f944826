package io.ccf.ar.runtime.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of {@code /healthz} or {@code /readyz}: overall ok or not, and per check whether it passes and why,
 * plus facts that do not decide the answer ({@code info}). Served as JSON, 200 when ok, 503 when not.
 */
record HealthReport(boolean ok, Map<String, Check> checks, Map<String, String> info) {
    record Check(boolean ok, String detail) {
    }

    HealthReport {
        checks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks));
        info = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(info));
    }

    static HealthReport of(Map<String, Check> checks, Map<String, String> info) {
        return new HealthReport(checks.values().stream().allMatch(Check::ok), checks, info);
    }

    /** {@code {"status": "ok"|"failing", "checks": {name: {"ok": b, "detail": s}}, "info": {...}}}. */
    Map<String, Object> toJson(String okWord, String failWord) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", ok ? okWord : failWord);
        Map<String, Object> c = new LinkedHashMap<>();
        checks.forEach((name, check) -> c.put(name, Map.of("ok", check.ok(), "detail", check.detail())));
        json.put("checks", c);
        if (!info.isEmpty()) {
            json.put("info", info);
        }
        return json;
    }
}
