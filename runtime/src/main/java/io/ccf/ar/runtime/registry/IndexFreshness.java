package io.ccf.ar.runtime.registry;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Refuses a signed index that is validly signed but not current: one past its {@code expires} (a registry,
 * mirror or proxy frozen on an old index), or one with a lower {@code serial} than this runtime has already
 * verified for the package (a rollback to an older index, to bring back an old vulnerable or yanked version).
 * An equal serial is the same index again. Applies to signed indexes only: anyone can write an unsigned one.
 */
public final class IndexFreshness {
    private final SeenSerials seen;
    private final Clock clock;

    public IndexFreshness(SeenSerials seen, Clock clock) {
        this.seen = Objects.requireNonNull(seen, "seen");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Serials kept in the plugins directory, expiry by the system clock. */
    public static IndexFreshness in(java.nio.file.Path pluginsDir) {
        return new IndexFreshness(SeenSerials.in(pluginsDir), Clock.systemUTC());
    }

    /** Serials remembered by this object only (a source used without a plugins directory). */
    public static IndexFreshness inMemory() {
        return new IndexFreshness(SeenSerials.inMemory(), Clock.systemUTC());
    }

    /** An index this runtime will not use; the message says which rule it broke and what to do. */
    public static final class StaleIndex extends Exception {
        StaleIndex(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Checks a verified signed index of {@code registry} and, when it passes, remembers its serial.
     *
     * @throws StaleIndex when it has expired, has a lower serial than one seen before, or the serials cannot be read
     */
    public void admit(URI registry, RegistryIndex index) throws StaleIndex {
        Instant now = clock.instant();
        if (index.expires() != null && !now.isBefore(index.expires())) {
            throw new StaleIndex("the signed index of " + index.packageName() + " (serial " + index.serial()
                    + ") expired at " + index.expires() + " (now " + now + "): the registry may be serving a frozen,"
                    + " old index; re-sign the index (`ar reindex --sign-key KEY --expires-in 30d`)", null);
        }
        OptionalLong before;
        try {
            before = seen.raise(key(registry), index.packageName(), index.serial());
        } catch (IOException e) {
            throw new StaleIndex("cannot check the index serial against " + seen.file().map(Object::toString).orElse("memory")
                    + ": " + e.getMessage() + " (fix or delete it; deleting forgets the serials seen, so the next index"
                    + " is trusted as the newest)", e);
        }
        if (before.isPresent() && index.serial() < before.getAsLong()) {
            throw new StaleIndex("the signed index of " + index.packageName() + " has serial " + index.serial()
                    + ", lower than serial " + before.getAsLong() + " this runtime has already verified: the registry"
                    + " served an older index than this runtime has seen: rollback? (a mirror, proxy or server replaying an"
                    + " old signed index; if the publisher really went back, publish or reindex with --sign-key to issue"
                    + " a higher serial)", null);
        }
    }

    /**
     * The registry as a key in the state file: scheme, host, port and path, lower-cased where URLs are not case
     * sensitive; no user info or query (they may carry credentials).
     */
    static String key(URI registry) {
        String scheme = registry.getScheme() == null ? "" : registry.getScheme().toLowerCase(Locale.ROOT);
        String host = registry.getHost() == null ? "" : registry.getHost().toLowerCase(Locale.ROOT);
        String port = registry.getPort() < 0 ? "" : ":" + registry.getPort();
        String path = registry.getRawPath() == null || registry.getRawPath().isEmpty() ? "/" : registry.getRawPath();
        return scheme + "://" + host + port + (path.endsWith("/") ? path : path + "/");
    }
}
