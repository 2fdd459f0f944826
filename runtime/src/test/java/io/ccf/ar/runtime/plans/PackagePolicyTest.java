package io.ccf.ar.runtime.plans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PackagePolicyTest {
    @Test
    void exactNamesAndGlobs() {
        PackagePolicy policy = PackagePolicy.of(List.of(), Optional.of(List.of("sample", "acme-*", "*-scan", "a*b*c")), List.of());
        assertTrue(policy.allows("sample"));
        assertFalse(policy.allows("sample2"));
        assertFalse(policy.allows("xsample"));
        assertTrue(policy.allows("acme-"));
        assertTrue(policy.allows("acme-aws.v2"));
        assertFalse(policy.allows("acme"));
        assertTrue(policy.allows("port-scan"));
        assertTrue(policy.allows("aXbYc"));
        assertFalse(policy.allows("aXbYcd"));
        assertFalse(policy.allowsEverything());
    }

    @Test
    void dotsArePlainCharacters() {
        PackagePolicy policy = PackagePolicy.of(List.of(), Optional.of(List.of("a.b")), List.of());
        assertTrue(policy.allows("a.b"));
        assertFalse(policy.allows("aXb"));
    }

    @Test
    void configuredPackagesAreAlwaysAllowed() {
        PackagePolicy policy = PackagePolicy.of(List.of("busy"), Optional.of(List.of()), List.of("stored"));
        assertTrue(policy.allows("busy"));
        assertFalse(policy.allows("stored"), "an explicit list replaces the plan files' packages");
        assertEquals(List.of("busy"), policy.patterns());
    }

    @Test
    void unsetListMeansConfiguredAndStoredPackages() {
        PackagePolicy policy = PackagePolicy.of(List.of("busy"), Optional.empty(), List.of("stored", "busy"));
        assertTrue(policy.allows("busy"));
        assertTrue(policy.allows("stored"));
        assertFalse(policy.allows("other"));
        assertTrue(policy.origin().contains("plans.allowedPackages is not set"), policy.origin());
    }

    @Test
    void starAllowsEverything() {
        PackagePolicy policy = PackagePolicy.of(List.of(), Optional.of(List.of("*")), List.of());
        assertTrue(policy.allowsEverything());
        assertTrue(policy.allows("anything"));
    }

    @Test
    void aRefusalNamesThePackageAndTheSetting() {
        PackagePolicy policy = PackagePolicy.of(List.of("busy"), Optional.of(List.of("acme-*")), List.of());
        MessageRejectedException e = assertThrows(MessageRejectedException.class,
                () -> policy.check(TestPlans.minimal("p1"), "activated", "plan event", "not stored"));
        assertEquals("activated", e.eventType());
        assertEquals("p1", e.planId());
        String pkg = PackagePolicy.packagesOf(TestPlans.minimal("p1")).iterator().next();
        assertEquals("package \"" + pkg + "\" of plan \"p1\" is not allowed for a plan event: plans.allowedPackages"
                + " (with config.yml's plugins) allows [busy, acme-*]; not stored", e.getMessage());
    }
}
