package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.config.RegistrySettings;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.oci.OciPlatform;
import io.ccf.ar.runtime.testing.OciRegistryFixture;
import io.ccf.ar.runtime.testing.OciTokenServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Bearer flow with credentials against docker-registry's {@code auth: token}, with a real token server
 * ({@link OciTokenServer}: JWTs the registry verifies against the token server's certificate).
 */
class OciTokenAuthTest {
    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(10), 16L * 1024 * 1024, 1, Duration.ofMillis(10));
    static final OciPlatform AMD64 = new OciPlatform("linux", "amd64");
    static final String PASSWORD = "tok-pw-" + Long.toHexString(new Random().nextLong());
    static final String REFRESH = "refresh-" + Long.toHexString(new Random().nextLong());

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static OciTokenServer tokens;
    static OciRegistryFixture registry;
    static URI location;
    static String host;
    static final byte[] JAR = new byte[2048];

    @BeforeAll
    static void start() throws Exception {
        tokens = new OciTokenServer(shared, "builder", PASSWORD, REFRESH);
        registry = OciRegistryFixture.startWithTokenAuth(Files.createDirectories(shared.resolve("oci")), tokens);
        location = registry.location("ccf-plugins");
        host = "127.0.0.1:" + registry.port();
        new Random(3).nextBytes(JAR);
        Path src = Files.createDirectories(shared.resolve("src"));
        Files.write(src.resolve("sample.jar"), JAR);
        new OciPackagePublisher(location, FAST, RegistryAccess.from(basic(shared, PASSWORD), location, Map.of()))
                .publish(new PackageRef("sample", "1.0.0"), src, Optional.empty());
        assertTrue(tokens.requests.contains("basic"), "the push logged in at the token endpoint: " + tokens.requests);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    static RegistrySettings basic(Path dir, String password) throws Exception {
        Path file = Files.writeString(dir.resolve("pw-" + System.nanoTime()), password + "\n");
        return new RegistrySettings(Optional.empty(), "builder", Optional.of(file), Optional.empty(), List.of());
    }

    PackageSource.FetchedPackage fetch(RegistrySettings settings) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fetch-" + System.nanoTime()));
        OciPackageSource source = new OciPackageSource(location, FAST, AMD64,
                RegistryAccess.from(settings, location, Map.of("HOME", tmp.toString())));
        PackageSource.FetchedPackage fetched = source.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir);
        assertArrayEquals(JAR, Files.readAllBytes(dir.resolve("sample.jar")));
        return fetched;
    }

    @Test
    void basicCredentialsAtTheTokenEndpoint() throws Exception {
        fetch(basic(tmp, PASSWORD));
    }

    @Test
    void dockerIdentityTokenIsExchangedAsARefreshToken() throws Exception {
        Path config = Files.writeString(tmp.resolve("config.json"),
                "{\"auths\": {\"" + host + "\": {\"auth\": \"\", \"identitytoken\": \"" + REFRESH + "\"}}}");
        int before = (int) tokens.requests.stream().filter("refresh"::equals).count();
        fetch(new RegistrySettings(Optional.of(config), "", Optional.empty(), Optional.empty(), List.of()));
        assertTrue(tokens.requests.stream().filter("refresh"::equals).count() > before, tokens.requests.toString());
    }

    @Test
    void anAnonymousTokenWithoutAccessAndAWrongPasswordAreRefusedClearly() throws Exception {
        RegistryException anonymous = assertThrows(RegistryException.class, () -> fetch(RegistrySettings.NONE));
        assertTrue(anonymous.getMessage().contains("registry host " + host + " with an anonymous token: it wants credentials"),
                anonymous.getMessage());
        String wrong = "wrong-" + System.nanoTime();
        RegistryException refused = assertThrows(RegistryException.class, () -> fetch(basic(tmp, wrong)));
        assertTrue(refused.getMessage().contains("token endpoint " + tokens.realm() + " of registry host " + host
                + " answered HTTP 401: the credentials from registry.username/registry.passwordFile were refused"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains(wrong));
    }
}
