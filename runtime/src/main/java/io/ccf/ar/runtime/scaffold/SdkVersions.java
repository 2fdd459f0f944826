package io.ccf.ar.runtime.scaffold;

import java.util.Map;

import io.ccf.ar.runtime.fleet.RuntimeVersion;

/**
 * The plugin SDK version a new plugin builds against: the runtime's own, as the build wrote it (Maven resource
 * filtering, see {@link RuntimeVersion}). The generated Maven project imports the runtime's parent POM at that
 * version for gRPC's, protobuf's and JUnit's versions.
 *
 * @param sdk the version of {@code io.ccf.ar:plugin-sdk}, {@code plugin-sdk-testing} and their parent POM
 */
public record SdkVersions(String sdk) {

    /** The version this runtime was built as. */
    public static SdkVersions ofThisBuild() {
        String version = RuntimeVersion.current();
        if (version.equals("unknown")) {
            throw new IllegalStateException("this runtime does not know its version (built without Maven's resource"
                    + " filtering), so it cannot name the plugin SDK to build against; rebuild it with mvn");
        }
        return new SdkVersions(version);
    }

    Map<String, String> variables() {
        return Map.of("version", sdk);
    }
}
