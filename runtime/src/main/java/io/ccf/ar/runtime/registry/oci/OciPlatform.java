package io.ccf.ar.runtime.registry.oci;

import java.util.Locale;
import java.util.Objects;

/** An OCI platform ({@code linux/amd64}); Go plugins are built per platform, Java plugins run anywhere. */
public record OciPlatform(String os, String architecture) {
    public OciPlatform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
    }

    /** Parses {@code os/arch} (a variant such as {@code /v8} is ignored). */
    public static OciPlatform parse(String s) {
        String[] parts = s.split("/");
        if (parts.length < 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("platform \"" + s + "\" is not of the form os/architecture (e.g. linux/amd64)");
        }
        return new OciPlatform(parts[0], parts[1]);
    }

    /** This JVM's platform in OCI (Go) names: Java says amd64/x86_64 and aarch64 where OCI says amd64 and arm64. */
    public static OciPlatform current() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String ociOs = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin"
                : os.startsWith("windows") ? "windows" : os.replace(' ', '-');
        String ociArch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch;
        };
        return new OciPlatform(ociOs, ociArch);
    }

    @Override
    public String toString() {
        return os + "/" + architecture;
    }
}
