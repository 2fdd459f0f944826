package io.ccf.ar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ccf.ar.runtime.config.PluginEntry;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.config.RuntimeConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Docker files (docker-compose.yml, docker/*.Dockerfile, docker/config.yml, docker/nats-server.conf)
 * checked without a Docker engine: the compose file through docker-compose's own validator, every
 * COPY source against the repository, the image's config through the runtime's loader. The stack
 * itself is built and run on a real engine by compose-test's ComposeStackTest.
 */
class DockerComposeFileTest {
    private static final Path ROOT = Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    private static final Path COMPOSE_FILE = ROOT.resolve("docker-compose.yml");
    private static final List<String> DOCKERFILES = List.of("docker/Dockerfile");

    record Result(int exitCode, String output) {
    }

    private static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("docker-compose-test", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            // the NATS users' passwords the compose file requires (scripts/compose.sh writes them to .env)
            for (String v : List.of("AR_NATS_RUNTIME_PASSWORD", "AR_NATS_CONTROL_PLANE_PASSWORD", "AR_NATS_READER_PASSWORD")) {
                builder.environment().putIfAbsent(v, "test-" + v.toLowerCase());
            }
            Process p = builder.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) { // not installed
            return new Result(-2, e.toString());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code docker compose} (v2) when it works, else Debian's {@code docker-compose}; null when neither. */
    private static List<String> composeCommand() throws Exception {
        if (run(30, "docker-compose", "version").exitCode() == 0) {
            return List.of("docker-compose");
        }
        if (run(30, "docker", "compose", "version").exitCode() == 0) {
            return List.of("docker", "compose");
        }
        return null;
    }

    private static String[] compose(List<String> base, String override, String... args) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of("-f", COMPOSE_FILE.toString(), "-f", ROOT.resolve(override).toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    @Test
    void composeFileIsValidForDockerCompose() throws Exception {
        List<String> dc = composeCommand();
        if (dc == null) {
            fail("neither docker-compose nor 'docker compose' is installed: apt-get install docker-compose");
        }
        for (String override : List.of("docker-compose.override.yml", "docker/compose.host-network.yml")) {
            Result r = run(120, compose(dc, override, "config", "-q"));
            assertEquals(0, r.exitCode(), "docker-compose config -q with " + override + ":\n" + r.output());
        }
    }

    /** The base images are variables whose defaults are the upstream images a normal Docker host pulls. */
    @Test
    void baseImagesDefaultToTheUpstreamOnes() throws IOException {
        String composeFile = Files.readString(COMPOSE_FILE);
        for (String v : List.of("${AR_NATS_IMAGE:-nats:2.10-alpine}", "${AR_BUILD_IMAGE:-maven:3.9-eclipse-temurin-17}",
                "${AR_REGISTRY_BASE_IMAGE:-nginx:1.27-alpine}", "${AR_RUNTIME_BASE_IMAGE:-debian:bookworm-slim}")) {
            assertTrue(composeFile.contains(v), v);
        }
        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        for (String arg : List.of("ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17", "ARG REGISTRY_BASE_IMAGE=nginx:1.27-alpine",
                "ARG RUNTIME_BASE_IMAGE=debian:bookworm-slim")) {
            assertTrue(dockerfile.contains(arg + "\n"), arg);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeFileWiresTheServices() throws IOException {
        Map<String, Object> doc = new Yaml().load(Files.readString(COMPOSE_FILE));
        assertFalse(doc.containsKey("name"), "a top-level name: key breaks docker-compose 1.29");
        Map<String, Object> services = (Map<String, Object>) doc.get("services");
        assertEquals(List.of("nats", "plugin-registry", "assessment-runtime"), List.copyOf(services.keySet()));

        Map<String, Object> nats = (Map<String, Object>) services.get("nats");
        assertTrue(String.valueOf(nats.get("image")).contains("nats:2.10"), "nats image: " + nats.get("image"));
        assertTrue(String.valueOf(((Map<String, Object>) nats.get("healthcheck")).get("test")).contains(":8222/healthz"));
        for (Object volume : (List<Object>) nats.get("volumes")) {
            String source = String.valueOf(volume).split(":")[0];
            if (source.startsWith("./")) {
                assertTrue(Files.isRegularFile(ROOT.resolve(source)), "bind-mounted file missing: " + source);
            }
        }

        Map<String, Object> runtime = (Map<String, Object>) services.get("assessment-runtime");
        Map<String, Object> env = (Map<String, Object>) runtime.get("environment");
        assertTrue(String.valueOf(env.get("AR_EVENT_BUS_URL")).matches("nats://runtime:\\$\\{AR_NATS_RUNTIME_PASSWORD:\\?[^}]*}@nats:4222"),
                "the runtime authenticates as user runtime: " + env.get("AR_EVENT_BUS_URL"));
        Map<String, Object> natsEnv = (Map<String, Object>) nats.get("environment");
        for (String v : List.of("AR_NATS_RUNTIME_PASSWORD", "AR_NATS_CONTROL_PLANE_PASSWORD", "AR_NATS_READER_PASSWORD")) {
            assertTrue(String.valueOf(natsEnv.get(v)).startsWith("${" + v + ":?"), v + " is required: " + natsEnv.get(v));
            assertTrue(Files.readString(ROOT.resolve("docker/nats-server.conf")).contains("$" + v), v);
        }
        assertEquals("http://plugin-registry/", env.get("AR_PLUGIN_REGISTRY_URL"));
        Map<String, Object> dependsOn = (Map<String, Object>) runtime.get("depends_on");
        assertEquals("service_healthy", ((Map<String, Object>) dependsOn.get("nats")).get("condition"));

        for (String name : List.of("plugin-registry", "assessment-runtime")) {
            Map<String, Object> build = (Map<String, Object>) ((Map<String, Object>) services.get(name)).get("build");
            assertEquals(".", build.get("context"), name + " builds from the repository root");
            assertTrue(DOCKERFILES.contains(build.get("dockerfile")), name + ": " + build.get("dockerfile"));
            String target = String.valueOf(build.get("target"));
            assertTrue(Files.readString(ROOT.resolve("docker/Dockerfile")).contains(" AS " + target + "\n"),
                    name + " builds target " + target + ", a stage of docker/Dockerfile");
        }
    }

    /** Every COPY/ADD source taken from the build context (the repository root) exists. */
    @Test
    void dockerfilesCopyFilesThatExist() throws IOException {
        for (String dockerfile : DOCKERFILES) {
            List<String> instructions = instructions(ROOT.resolve(dockerfile));
            int copies = 0;
            for (String instruction : instructions) {
                String[] words = instruction.trim().split("\\s+");
                String keyword = words[0].toUpperCase();
                if (!keyword.equals("COPY") && !keyword.equals("ADD")) {
                    continue;
                }
                List<String> args = new ArrayList<>();
                boolean fromStage = false;
                for (int i = 1; i < words.length; i++) {
                    if (words[i].startsWith("--")) {
                        fromStage |= words[i].startsWith("--from=");
                    } else {
                        args.add(words[i].replaceAll("^\\[?\"|\",?\\]?$", ""));
                    }
                }
                if (fromStage) {
                    continue;
                }
                copies++;
                assertTrue(args.size() >= 2, dockerfile + ": " + instruction);
                List<String> sources = args.subList(0, args.size() - 1);
                boolean anyPresent = false;
                for (String source : sources) {
                    boolean glob = source.matches(".*[*?\\[].*");
                    boolean present = glob ? matchesSomething(source) : Files.exists(ROOT.resolve(source));
                    assertTrue(glob || present, dockerfile + ": COPY source " + source + " is not in the repository");
                    anyPresent |= present;
                }
                assertTrue(anyPresent, dockerfile + ": nothing to copy in " + instruction);
            }
            assertTrue(copies > 0, dockerfile + " copies nothing from the repository");
        }
    }

    /** The config baked into the image loads, points at the compose services and uses only packages the image ships. */
    @Test
    void imageConfigLoadsAndUsesThePackagesTheImageShips() throws IOException {
        RuntimeConfig config = new RuntimeConfigLoader(Map.of(), () -> "container")
                .load(ROOT.resolve("docker/config.yml"));
        assertEquals("container", config.runtimeId(), "runtimeId comes from the container's host name");
        assertEquals("nats://nats:4222", config.eventBusURL());
        assertEquals("http://plugin-registry/", config.pluginRegistryURL());
        assertEquals(ROOT.resolve("docker/plugins"), config.pluginsDir());
        assertEquals(ROOT.resolve("docker/spool"), config.nats().spoolDir());
        String runtimeDockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
        assertFalse(config.plugins().isEmpty());
        for (PluginEntry p : config.plugins()) {
            String dir = "/plugins/" + p.packageName() + "/" + p.version() + "/"; // laid out under /opt/ar(-owned)
            assertTrue(runtimeDockerfile.contains(dir), "the image does not install " + dir);
        }
        assertTrue(runtimeDockerfile.contains("ENTRYPOINT [\"/opt/ar/ar\"]"));
        assertTrue(runtimeDockerfile.contains("HEALTHCHECK"));
    }

    /** The NATS config parses, when a nats-server binary is at hand (Debian's; CI installs it). */
    @Test
    void natsConfigParses() throws Exception {
        String nats = Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server";
        Result r = run(30, nats, "-c", ROOT.resolve("docker/nats-server.conf").toString(), "-t");
        assumeTrue(r.exitCode() != -2, "no nats-server installed");
        assertEquals(0, r.exitCode(), r.output());
    }

    /** Dockerfile instructions: comments dropped, backslash continuations joined. */
    private static List<String> instructions(Path dockerfile) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
            } else {
                current.append(t);
                if (current.length() > 0) {
                    out.add(current.toString());
                }
                current.setLength(0);
            }
        }
        return out;
    }

    private static boolean matchesSomething(String glob) throws IOException {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        Path top = ROOT.resolve(glob.contains("/") ? glob.substring(0, glob.indexOf('/')) : ".");
        if (!Files.isDirectory(top)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(top, glob.split("/").length)) {
            return files.anyMatch(f -> matcher.matches(ROOT.relativize(f.toAbsolutePath().normalize())));
        }
    }
}
