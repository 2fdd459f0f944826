package io.ccf.ar.runtime.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The serial and expiry rules of a signed index, and the durable record of the serials seen. */
class IndexFreshnessTest {
    static final URI REGISTRY = URI.create("http://registry.example:8080/plugins/");
    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @TempDir
    Path plugins;

    IndexFreshness freshness() {
        return new IndexFreshness(SeenSerials.in(plugins), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static RegistryIndex index(long serial, Instant expires) {
        return new RegistryIndex("sample", serial, expires, List.of());
    }

    @Test
    void aLowerSerialIsRefusedAnEqualOrHigherOneAccepted() throws Exception {
        freshness().admit(REGISTRY, index(100, null));
        freshness().admit(REGISTRY, index(100, null)); // the same index again
        byte[] before = Files.readAllBytes(plugins.resolve(SeenSerials.FILE));
        IndexFreshness.StaleIndex e = assertThrows(IndexFreshness.StaleIndex.class,
                () -> freshness().admit(REGISTRY, index(99, null)));
        assertTrue(e.getMessage().contains("index of sample has serial 99, lower than serial 100"), e.getMessage());
        assertTrue(e.getMessage().contains("the registry served an older index than this runtime has seen: rollback?"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(plugins.resolve(SeenSerials.FILE)), "a refused serial is not recorded");
        freshness().admit(REGISTRY, index(101, null));
        assertEquals(OptionalLong.of(101), SeenSerials.in(plugins).get(IndexFreshness.key(REGISTRY), "sample"));
    }

    @Test
    void anIndexWithoutSerialCountsAsZero() throws Exception {
        RegistryIndex old = RegistryIndex.parse("{\"package\": \"sample\", \"versions\": []}".getBytes());
        assertEquals(0, old.serial());
        freshness().admit(REGISTRY, old); // first contact: accepted
        freshness().admit(REGISTRY, index(5, null));
        IndexFreshness.StaleIndex e = assertThrows(IndexFreshness.StaleIndex.class, () -> freshness().admit(REGISTRY, old));
        assertTrue(e.getMessage().contains("serial 0, lower than serial 5"), e.getMessage());
    }

    @Test
    void anExpiredIndexIsRefusedAndNotRecorded() throws Exception {
        IndexFreshness.StaleIndex e = assertThrows(IndexFreshness.StaleIndex.class,
                () -> freshness().admit(REGISTRY, index(7, NOW)));
        assertTrue(e.getMessage().contains("expired at 2026-12-02T10:00:00Z"), e.getMessage());
        assertTrue(e.getMessage().contains("re-sign the index"), e.getMessage());
        assertTrue(Files.notExists(plugins.resolve(SeenSerials.FILE)), "an expired index records nothing");
        assertDoesNotThrow(() -> freshness().admit(REGISTRY, index(7, NOW.plusSeconds(1))));
    }

    @Test
    void serialsAreKeptPerRegistryAndPackageInAPrivateFile() throws Exception {
        freshness().admit(REGISTRY, index(50, null));
        freshness().admit(URI.create("http://mirror.example/"), index(3, null)); // another registry: its own count
        freshness().admit(REGISTRY, new RegistryIndex("other", 1, null, List.of())); // another package too
        // the same registry spelled differently (host case, user info, no trailing slash) is the same key
        assertThrows(IndexFreshness.StaleIndex.class,
                () -> freshness().admit(URI.create("http://someone@REGISTRY.example:8080/plugins"), index(49, null)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plugins.resolve(SeenSerials.FILE))));
        String state = Files.readString(plugins.resolve(SeenSerials.FILE));
        assertTrue(state.contains("\"http://registry.example:8080/plugins/\""), state);
        assertTrue(!state.contains("someone"), state);
    }

    @Test
    void anUnreadableStateFileRefusesRatherThanForgets() throws Exception {
        Files.writeString(plugins.resolve(SeenSerials.FILE), "{not json");
        IndexFreshness.StaleIndex e = assertThrows(IndexFreshness.StaleIndex.class,
                () -> freshness().admit(REGISTRY, index(1, null)));
        assertTrue(e.getMessage().contains("registry-state.json is not JSON"), e.getMessage());
        assertTrue(e.getMessage().contains("fix or delete it"), e.getMessage());
    }

    @Test
    void serialAndExpiresRoundTripAndAreChecked() throws Exception {
        RegistryIndex stamped = index(0, null).stamped(1764669600, Instant.parse("2027-01-01T00:00:00Z"));
        String json = new String(stamped.toJson());
        assertTrue(json.contains("\"serial\" : 1764669600") && json.contains("\"expires\" : \"2027-01-01T00:00:00Z\""), json);
        assertEquals(stamped, RegistryIndex.parse(stamped.toJson()));
        assertEquals(Instant.parse("2026-12-31T22:00:00Z"), RegistryIndex.parse(
                "{\"package\": \"s\", \"expires\": \"2027-01-01T00:00:00+02:00\"}".getBytes()).expires());
        for (String bad : List.of("\"serial\": -1", "\"serial\": 1.5", "\"serial\": \"12\"", "\"expires\": \"tomorrow\"")) {
            assertThrows(java.io.IOException.class, () -> RegistryIndex.parse(("{\"package\": \"s\", " + bad + "}").getBytes()), bad);
        }
    }

    @Test
    void aPublisherAlwaysRaisesTheSerial() throws Exception {
        Path tree = Files.createDirectories(plugins.resolveSibling(plugins.getFileName() + "-tree"));
        Path jar = Files.writeString(tree.resolveSibling(plugins.getFileName() + "-a.jar"), "a");
        Instant clock = Instant.parse("2026-12-02T10:00:00Z");
        var key = IndexSignature.generate().getPrivate();
        StaticRegistryTree first = new StaticRegistryTree(tree, key, java.time.Duration.ofDays(30), Clock.fixed(clock, ZoneOffset.UTC));
        first.publish("sample", "1.0.0", jar);
        RegistryIndex one = first.index("sample").orElseThrow();
        assertEquals(clock.getEpochSecond(), one.serial());
        assertEquals(clock.plus(java.time.Duration.ofDays(30)), one.expires());
        // a clock that went back (another machine): still previous + 1; republishing with a key re-signs with a new serial
        StaticRegistryTree behind = new StaticRegistryTree(tree, key, null, Clock.fixed(clock.minusSeconds(3600), ZoneOffset.UTC));
        behind.publish("sample", "1.0.0", jar);
        RegistryIndex two = behind.index("sample").orElseThrow();
        assertEquals(one.serial() + 1, two.serial());
        assertEquals(null, two.expires(), "each signing states its own expiry; none asked, none written");
        assertEquals(one.serial() + 2, behind.rebuildIndex("sample").serial());
        assertThrows(IllegalArgumentException.class,
                () -> new StaticRegistryTree(tree, null, java.time.Duration.ofDays(1), Clock.systemUTC()));
    }
}
