package io.ccf.ar.runtime.plans;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.ConfigProblem;
import io.ccf.ar.runtime.config.PlanSpec;

/**
 * Asks the control plane for this runtime's jobs: {@code GET <controlPlaneURL>/runtime/jobs}, a JSON
 * array of plans with the plan-file key names. An entry that is not a valid plan is logged and
 * skipped; the others are kept, so one bad plan does not cost the runtime all of them.
 */
public final class ControlPlaneClient {
    public static final String JOBS_PATH = "/runtime/jobs";

    private static final Logger log = LoggerFactory.getLogger(ControlPlaneClient.class);
    private static final int BODY_EXCERPT = 200;

    private final HttpClient http;

    public ControlPlaneClient() {
        this(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    public ControlPlaneClient(HttpClient http) {
        this.http = http;
    }

    /**
     * @param timeout for the whole exchange: connect, response and body
     * @throws ControlPlaneException naming the URL when the control plane cannot be reached, answers
     *                               an HTTP error, is too slow, or does not send a JSON array
     */
    public List<PlanSpec> fetchJobs(URI controlPlaneURL, Duration timeout) {
        URI uri = jobsUri(controlPlaneURL);
        HttpResponse<byte[]> response = get(uri, timeout);
        byte[] body = response.body();
        if (response.statusCode() / 100 != 2) {
            throw new ControlPlaneException("control plane " + uri + " answered HTTP " + response.statusCode()
                    + excerpt(body));
        }
        Object jobs;
        try {
            jobs = JsonMessages.parse(body);
        } catch (MessageRejectedException e) {
            throw new ControlPlaneException("control plane " + uri + " (HTTP " + response.statusCode()
                    + ") did not answer JSON: " + e.getMessage() + excerpt(body));
        }
        if (jobs == null) {
            return List.of(); // Go encodes an empty (nil) job list as null
        }
        if (!(jobs instanceof List<?> entries)) {
            throw new ControlPlaneException("control plane " + uri + " (HTTP " + response.statusCode()
                    + ") answered " + JsonMessages.typeOf(jobs) + ", expected a JSON array of jobs");
        }
        return plans(uri, entries);
    }

    /** {@code http://cp:8080/api/} becomes {@code http://cp:8080/api/runtime/jobs}. */
    static URI jobsUri(URI controlPlaneURL) {
        String base = controlPlaneURL.toString().replaceAll("/+$", "");
        return URI.create(base + JOBS_PATH);
    }

    private HttpResponse<byte[]> get(URI uri, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(timeout)
                .header("Accept", "application/json").build();
        CompletableFuture<HttpResponse<byte[]>> response =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            // the request timeout stops at the headers; this bounds connect + headers + body together
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            response.cancel(true);
            throw timedOut(uri, timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw timedOut(uri, timeout, cause);
            }
            throw new ControlPlaneException("cannot reach control plane " + uri + ": " + describe(cause), cause);
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw new ControlPlaneException("interrupted while asking control plane " + uri + " for jobs", e);
        }
    }

    private static ControlPlaneException timedOut(URI uri, Duration timeout, Throwable cause) {
        return new ControlPlaneException("control plane " + uri + " did not answer within " + timeout.toMillis()
                + " ms", cause);
    }

    private static String describe(Throwable cause) {
        if (cause instanceof IOException && cause.getMessage() != null) {
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return String.valueOf(cause);
    }

    private static List<PlanSpec> plans(URI uri, List<?> entries) {
        List<PlanSpec> plans = new ArrayList<>();
        Map<String, Integer> indexById = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String source = "control plane " + uri + "[" + i + "]";
            try {
                PlanSpec plan = plan(source, entries.get(i));
                Integer first = indexById.putIfAbsent(plan.id(), i);
                if (first != null) {
                    throw new ConfigException(new ConfigProblem(source, 0, 0, "id",
                            "duplicate plan id \"" + plan.id() + "\": already sent at [" + first + "]"));
                }
                plans.add(plan);
            } catch (ConfigException e) {
                log.atWarn().addKeyValue("url", uri).addKeyValue("entry", i).log("control plane job skipped:\n  {}",
                        e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n  ")));
            }
        }
        log.atInfo().addKeyValue("url", uri).addKeyValue("plans", plans.size())
                .addKeyValue("skipped", entries.size() - plans.size()).log("jobs fetched from the control plane");
        return plans;
    }

    @SuppressWarnings("unchecked")
    private static PlanSpec plan(String source, Object entry) {
        if (!(entry instanceof Map<?, ?> document)) {
            throw new ConfigException(new ConfigProblem(source, 0, 0, "",
                    "expected an object (a job), got " + JsonMessages.typeOf(entry)));
        }
        return PlanSpec.fromMap((Map<String, ?>) document, source);
    }

    private static String excerpt(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return ": " + (text.length() > BODY_EXCERPT ? text.substring(0, BODY_EXCERPT) + "..." : text);
    }
}
