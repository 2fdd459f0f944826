package io.ccf.ar.runtime.registry.auth;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Credentials from Docker's {@code config.json}, as {@code docker login} leaves them: {@code credHelpers.<host>}
 * (a {@code docker-credential-<name>} program on PATH), else {@code credsStore} (the same for every host), else
 * {@code auths.<host>.auth} (base64 {@code user:password}) or {@code auths.<host>.identitytoken}. Keys of
 * {@code auths} may carry a scheme and path ({@code https://host/v1/}); only the host[:port] is compared.
 * The file is read on every lookup, so a {@code docker login} made while the daemon runs is seen.
 */
public final class DockerConfigCredentials implements CredentialSource {
    private static final ObjectMapper JSON = JsonMappers.COMPACT;
    private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final long HELPER_TIMEOUT_SECONDS = 10;
    private static final int MAX_HELPER_OUTPUT = 64 * 1024;

    private final Path configFile;
    private final String path;

    /** @param path the PATH searched for {@code docker-credential-<name>} (the process's own, normally) */
    public DockerConfigCredentials(Path configFile, String path) {
        this.configFile = configFile;
        this.path = path == null ? "" : path;
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}, when that file exists. */
    public static Optional<Path> defaultConfigFile(Map<String, String> environment) {
        String dockerConfig = environment.get("DOCKER_CONFIG");
        Path file;
        if (dockerConfig != null && !dockerConfig.isBlank()) {
            file = Path.of(dockerConfig, "config.json");
        } else {
            String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
            if (home == null || home.isBlank()) {
                return Optional.empty();
            }
            file = Path.of(home, ".docker", "config.json");
        }
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    public Path configFile() {
        return configFile;
    }

    @Override
    public Optional<RegistryCredential> lookup(String host) {
        JsonNode config;
        try {
            config = JSON.readTree(Files.readAllBytes(configFile));
        } catch (IOException e) {
            throw new CredentialException("cannot read Docker config " + configFile + " (registry.dockerConfig): "
                    + e.getClass().getSimpleName());
        }
        if (config == null || !config.isObject()) {
            throw new CredentialException("Docker config " + configFile + " (registry.dockerConfig) is not a JSON object");
        }
        String helper = findByHost(config.path("credHelpers"), host).map(JsonNode::asText).orElse(null);
        if (helper != null && !helper.isBlank()) {
            return runHelper(helper, host);
        }
        String store = config.path("credsStore").asText("");
        if (!store.isBlank()) {
            Optional<RegistryCredential> stored = runHelper(store, host);
            if (stored.isPresent()) {
                return stored;
            }
        }
        Optional<JsonNode> entry = findByHost(config.path("auths"), host);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String origin = "auths of " + configFile;
        String identity = entry.get().path("identitytoken").asText("");
        if (!identity.isBlank()) {
            return Optional.of(new RegistryCredential.IdentityToken(identity, origin));
        }
        String auth = entry.get().path("auth").asText("");
        if (auth.isBlank()) {
            String user = entry.get().path("username").asText("");
            String password = entry.get().path("password").asText("");
            return user.isBlank() ? Optional.empty() : Optional.of(new RegistryCredential.Basic(user, password, origin));
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new CredentialException("Docker config " + configFile + ": auths entry for " + host
                    + " has an \"auth\" that is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new CredentialException("Docker config " + configFile + ": auths entry for " + host
                    + " has an \"auth\" that is not base64 of user:password");
        }
        return Optional.of(new RegistryCredential.Basic(decoded.substring(0, colon), decoded.substring(colon + 1), origin));
    }

    /** The entry of an {@code auths} or {@code credHelpers} object whose key names this host. */
    static Optional<JsonNode> findByHost(JsonNode object, String host) {
        if (object == null || !object.isObject()) {
            return Optional.empty();
        }
        String wanted = host.toLowerCase(Locale.ROOT);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (hostOf(e.getKey()).equals(wanted)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** {@code https://Host:5000/v1/} → {@code host:5000}. */
    static String hostOf(String key) {
        String k = key.strip().toLowerCase(Locale.ROOT);
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        return slash >= 0 ? k.substring(0, slash) : k;
    }

    /**
     * Runs {@code docker-credential-<name> get} with the host on stdin (Docker's credential helper protocol). A
     * helper that says "credentials not found" means none; any other failure is an error naming helper and host
     * (its output is not quoted: it may hold a secret).
     */
    private Optional<RegistryCredential> runHelper(String name, String host) {
        String program = "docker-credential-" + name;
        if (!HELPER_NAME.matcher(name).matches()) {
            throw new CredentialException("Docker config " + configFile + ": credential helper name \"" + name
                    + "\" is not a plain name");
        }
        Path executable = findOnPath(program).orElseThrow(() -> new CredentialException("credential helper " + program
                + " (named in " + configFile + " for " + host + ") is not on PATH"));
        Process process;
        try {
            process = new ProcessBuilder(executable.toString(), "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new CredentialException("cannot run credential helper " + executable + " for " + host + ": " + e.getMessage());
        }
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(host.getBytes(StandardCharsets.UTF_8));
            }
            java.util.concurrent.CompletableFuture<byte[]> reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return readBounded(process.getInputStream());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] out;
            try {
                out = reading.get(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!process.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new java.util.concurrent.TimeoutException();
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new CredentialException("credential helper " + program + " did not finish within "
                        + HELPER_TIMEOUT_SECONDS + " s for " + host);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new CredentialException("credential helper " + program + " for " + host + ": "
                        + e.getCause().getMessage());
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                if (text.toLowerCase(Locale.ROOT).contains("credentials not found")) {
                    return Optional.empty();
                }
                throw new CredentialException("credential helper " + program + " failed for " + host + " (exit "
                        + process.exitValue() + ")");
            }
            JsonNode json;
            try {
                json = JSON.readTree(out);
            } catch (IOException e) {
                throw new CredentialException("credential helper " + program + " for " + host + " did not print JSON");
            }
            String user = json == null ? "" : json.path("Username").asText("");
            String secret = json == null ? "" : json.path("Secret").asText("");
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            String origin = "credential helper " + program;
            return Optional.of("<token>".equals(user) ? new RegistryCredential.IdentityToken(secret, origin)
                    : new RegistryCredential.Basic(user, secret, origin));
        } catch (IOException e) {
            throw new CredentialException("credential helper " + program + " for " + host + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialException("interrupted while running credential helper " + program);
        } finally {
            process.destroyForcibly();
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > MAX_HELPER_OUTPUT) {
                throw new IOException("more than " + MAX_HELPER_OUTPUT + " bytes of output");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private Optional<Path> findOnPath(String program) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
