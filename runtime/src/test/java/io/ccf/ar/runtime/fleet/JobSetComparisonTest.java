package io.ccf.ar.runtime.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class JobSetComparisonTest {
    private static RuntimeStatus.Job job(String id, String schedule) {
        return new RuntimeStatus.Job(id, schedule, "UTC");
    }

    static RuntimeStatus runtime(String id, RuntimeStatus.Job... jobs) {
        JobSet set = JobSet.of(List.of(jobs));
        return new RuntimeStatus(id, "1.0.0", "2026-01-01T00:00:00Z", "2026-01-01T01:02:03Z", 3723, "UTC",
                set.jobs().size(), set.digest(), set.listed(), set.truncated(), List.of(), 0, 0, null);
    }

    @Test
    void theDigestIgnoresOrderAndSeesScheduleAndZone() {
        String digest = JobSet.of(List.of(job("a", "* * * * *"), job("b", "@daily"))).digest();
        assertEquals(digest, JobSet.of(List.of(job("b", "@daily"), job("a", "* * * * *"))).digest());
        assertNotEquals(digest, JobSet.of(List.of(job("a", "* * * * *"), job("b", "@hourly"))).digest());
        assertNotEquals(digest, JobSet.of(List.of(job("a", "* * * * *"), new RuntimeStatus.Job("b", "@daily", "Europe/Paris"))).digest());
        // fields are separated: moving text between id and schedule changes the digest
        assertNotEquals(JobSet.of(List.of(job("ab", "c"))).digest(), JobSet.of(List.of(job("a", "bc"))).digest());
    }

    @Test
    void theRuntimeUnlikeTheMostCommonSetDiffers() {
        JobSetComparison c = JobSetComparison.of(List.of(runtime("a", job("j1", "@daily")), runtime("b", job("j1", "@daily")),
                runtime("c", job("j1", "@hourly"), job("j2", "@daily"))));
        assertFalse(c.agree());
        assertEquals(Set.of("c"), c.differing());
        assertEquals(Optional.of("extra j2; other schedule or time zone: j1 (@hourly UTC vs @daily UTC)"), c.describe("c"));
        assertEquals(Optional.empty(), c.describe("a"));
    }

    @Test
    void twoRuntimesThatDisagreeBothDiffer() {
        JobSetComparison c = JobSetComparison.of(List.of(runtime("a", job("j1", "@daily")), runtime("b")));
        assertEquals(Set.of("a", "b"), c.differing());
        assertTrue(c.reference().isEmpty());
        assertEquals(Optional.empty(), c.describe("b"));
    }

    @Test
    void oneRuntimeOrEqualSetsAgree() {
        assertTrue(JobSetComparison.of(List.of(runtime("a", job("j1", "@daily")))).agree());
        assertTrue(JobSetComparison.of(List.of()).agree());
        assertTrue(JobSetComparison.of(List.of(runtime("a"), runtime("b"))).agree());
    }
}
