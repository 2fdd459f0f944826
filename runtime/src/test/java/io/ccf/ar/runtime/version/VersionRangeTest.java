package io.ccf.ar.runtime.version;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionRangeTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = ';', textBlock = """
            ^1.2 ; 1.2.0 ; true
            ^1.2 ; 1.9.7 ; true
            ^1.2 ; 2.0.0 ; false
            ^1.2 ; 1.1.9 ; false
            ^1.2 ; 1.3.0-rc.1 ; false
            ^1.2.3 ; 1.2.3 ; true
            ^1.2.3 ; 1.2.2 ; false
            ^0.2.3 ; 0.2.9 ; true
            ^0.2.3 ; 0.3.0 ; false
            ^0.0.3 ; 0.0.3 ; true
            ^0.0.3 ; 0.0.4 ; false
            ^0 ; 0.9.9 ; true
            ^0 ; 1.0.0 ; false
            ~1.2.3 ; 1.2.9 ; true
            ~1.2.3 ; 1.3.0 ; false
            ~1.2.3 ; 1.2.2 ; false
            ~1.2 ; 1.2.0 ; true
            ~1 ; 1.9.0 ; true
            ~1 ; 2.0.0 ; false
            >=1.0 <2.0 ; 1.0.0 ; true
            >=1.0 <2.0 ; 1.99.0 ; true
            >=1.0 <2.0 ; 2.0.0 ; false
            >=1.0 <2.0 ; 2.0.0-rc.1 ; false
            >=1.0 <2.0 ; 0.9.0 ; false
            '>= 1.0, < 2.0' ; 1.5.0 ; true
            >1.2 ; 1.2.9 ; false
            >1.2 ; 1.3.0 ; true
            >1.2.3 ; 1.2.4 ; true
            <=1.2 ; 1.2.9 ; true
            <=1.2 ; 1.3.0 ; false
            1.x ; 1.4.2 ; true
            1.x ; 2.0.0 ; false
            1.2.x ; 1.2.7 ; true
            1.2.x ; 1.3.0 ; false
            * ; 0.0.1 ; true
            latest ; 17.3.0 ; true
            latest ; 2.0.0-rc.1 ; false
            ^1 || ^3 ; 3.1.0 ; true
            ^1 || ^3 ; 2.1.0 ; false
            ~1.2.3-rc.1 ; 1.2.3-rc.2 ; true
            ~1.2.3-rc.1 ; 1.2.3 ; true
            ~1.2.3-rc.1 ; 1.2.4-rc.1 ; false
            =1.2.3 ; 1.2.3 ; true
            =1.2.3 ; 1.2.4 ; false
            v1.2.3 ; 1.2.3 ; true
            ^1.2 ; v1.4.0 ; true
            """)
    void matchesLikeNpm(String range, String version, boolean expected) {
        assertEquals(expected, VersionRange.parse(range).matches(Version.parse(version).orElseThrow()), range + " vs " + version);
    }

    @Test
    void highestPicksTheNewestReleaseInRangeAndIgnoresTags() {
        List<String> published = List.of("1.0.0", "1.2.0", "1.10.1", "1.11.0-rc.1", "2.0.0", "dev", "latest");
        assertEquals(Optional.of("1.10.1"), VersionRange.parse("^1.0").highest(published));
        assertEquals(Optional.of("2.0.0"), VersionRange.parse("latest").highest(published));
        assertEquals(Optional.of("1.2.0"), VersionRange.parse("~1.2").highest(published));
        assertEquals(Optional.empty(), VersionRange.parse("^3").highest(published));
    }

    @Test
    void semverPrecedence() {
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0");
        for (int i = 1; i < ordered.size(); i++) {
            Version lower = Version.parse(ordered.get(i - 1)).orElseThrow();
            Version higher = Version.parse(ordered.get(i)).orElseThrow();
            assertTrue(lower.compareTo(higher) < 0, lower + " < " + higher);
        }
        assertTrue(Version.parse("dev").isEmpty());
        assertTrue(Version.parse("1.2.3.4").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', textBlock = """
            ^1.2.3.4 ; "^1.2.3.4" in version range
            >=one ; ">=one" in version range
            ^1 || ; empty alternative
            1.x.3 ; "1.x.3" in version range
            """)
    void badRangesSayWhichPart(String range, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VersionRange.parse(range));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void requirementForms() {
        assertEquals(new VersionRequirement.Exact("1.0.0"), VersionRequirement.parse("1.0.0"));
        assertEquals(new VersionRequirement.Exact("dev"), VersionRequirement.parse("dev"));
        String hex = "ab".repeat(32);
        VersionRequirement.Pinned pinned = assertInstanceOf(VersionRequirement.Pinned.class,
                VersionRequirement.parse("1.0.0@sha256:" + hex.toUpperCase()));
        assertEquals("1.0.0", pinned.version());
        assertEquals("sha256:" + hex, pinned.digest());
        assertInstanceOf(VersionRequirement.Range.class, VersionRequirement.parse("^1.2"));
        assertInstanceOf(VersionRequirement.Range.class, VersionRequirement.parse(">=1.0 <2.0"));
        assertInstanceOf(VersionRequirement.Range.class, VersionRequirement.parse("latest"));
        assertInstanceOf(VersionRequirement.Range.class, VersionRequirement.parse("1.x"));
        assertTrue(VersionRequirement.isExact("1.0.0"));
        assertTrue(!VersionRequirement.isExact("^1.0"));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> VersionRequirement.parse("../1.0"))
                .getMessage().contains("neither a plain version"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VersionRequirement.parse("1.0@md5:abc"))
                .getMessage().contains("sha256: and 64 hex digits"));
        assertThrows(IllegalArgumentException.class, () -> VersionRequirement.parse(""));
        assertThrows(IllegalArgumentException.class, () -> VersionRequirement.parse("a/b"));
    }
}
