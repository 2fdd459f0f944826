package io.ccf.ar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes checked as far as a machine without a cluster allows: {@code kubectl kustomize} builds
 * it (when kubectl is installed; a client-side dry run needs an API server for its schemas), and the
 * pieces agree with each other and with the image: probes on the port the ConfigMap's config listens on,
 * the image's user, a termination grace period longer than the runtime's own.
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    private static final Path DIR = ROOT.resolve("deploy/kubernetes");

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(String file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(DIR.resolve(file)))) {
            if (doc != null) {
                out.add((Map<String, Object>) doc);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            current = current instanceof List<?> list ? list.get(Integer.parseInt(key)) : ((Map<String, Object>) current).get(key);
            assertTrue(current != null, "missing " + String.join(".", path));
        }
        return (T) current;
    }

    @Test
    @SuppressWarnings("unchecked")
    void runtimeDeploymentProbesTheConfiguredPortAsTheImagesUser() throws IOException {
        Map<String, Object> deployment = documents("deployment.yaml").get(0);
        assertEquals("Deployment", deployment.get("kind"));
        Map<String, Object> pod = at(deployment, "spec", "template", "spec");
        Map<String, Object> container = at(pod, "containers", "0");
        assertEquals("/healthz", at(container, "livenessProbe", "httpGet", "path"));
        assertEquals("/readyz", at(container, "readinessProbe", "httpGet", "path"));
        assertEquals("metrics", at(container, "readinessProbe", "httpGet", "port"));
        int port = at(container, "ports", "0", "containerPort");

        Map<String, Object> config = new Yaml().load((String) at(documents("configmap.yaml").get(0), "data", "config.yml"));
        String listen = at(config, "metrics", "listen");
        assertEquals("0.0.0.0:" + port, listen, "the kubelet probes the pod's address");
        long grace = Duration.parse("PT" + at(config, "execution", "gracePeriod").toString().toUpperCase()).toSeconds();
        int termination = at(pod, "terminationGracePeriodSeconds");
        assertTrue(termination > grace, "the pod gets longer than the runtime's grace period: " + termination);

        int uid = at(pod, "securityContext", "runAsUser");
        assertTrue(Files.readString(ROOT.resolve("docker/Dockerfile")).contains("--uid " + uid + " "), "the image's user ar");
        List<String> mounts = ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
                .map(m -> (String) m.get("mountPath")).toList();
        assertTrue(mounts.containsAll(List.of("/opt/ar/config.yml", "/opt/ar/spool")), mounts.toString());
    }

    /** The ConfigMap's config.yml loads through the runtime's own loader (unknown keys would fail here). */
    @Test
    void configMapConfigLoads(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.yml"), (String) at(documents("configmap.yaml").get(0), "data", "config.yml"));
        io.ccf.ar.runtime.config.RuntimeConfig config = new io.ccf.ar.runtime.config.RuntimeConfigLoader(Map.of(), () -> "pod-1")
                .load(dir.resolve("config.yml"));
        assertEquals("pod-1", config.runtimeId());
        assertEquals(dir.resolve("spool"), config.nats().spoolDir());
    }

    @Test
    void kustomizeBuildsEveryResource() throws Exception {
        Path out = Files.createTempFile("kustomize", ".yaml");
        try {
            Process p;
            try {
                p = new ProcessBuilder("kubectl", "kustomize", DIR.toString()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                assumeTrue(false, "kubectl is not installed");
                return;
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize timed out");
            String built = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), built);
            List<String> kinds = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(built)) {
                kinds.add(at(doc, "kind") + "/" + at(doc, "metadata", "name") + "@" + at(doc, "metadata", "namespace"));
            }
            assertEquals(List.of("ConfigMap/assessment-runtime-config@assessment", "Service/plugin-registry@assessment",
                    "Deployment/assessment-runtime@assessment", "Deployment/plugin-registry@assessment"), kinds);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
