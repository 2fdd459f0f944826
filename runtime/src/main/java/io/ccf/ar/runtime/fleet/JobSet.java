package io.ccf.ar.runtime.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import io.ccf.ar.runtime.config.JobCatalog;

/**
 * The jobs of a runtime as (job id, schedule, time zone), sorted by id, and their digest. Runtimes sharing a
 * schedule must compute the same fire times, so they must hold the same set: equal digests say they do.
 */
public record JobSet(List<RuntimeStatus.Job> jobs, String digest) {
    /** How many jobs a status document lists (the digest and count always cover all). */
    public static final int MAX_LISTED = 500;

    public JobSet {
        jobs = List.copyOf(jobs);
    }

    public static JobSet of(JobCatalog catalog, ZoneId timeZone) {
        return of(catalog.jobs().stream().map(j -> new RuntimeStatus.Job(j.id(), j.schedule(), timeZone.getId())).toList());
    }

    public static JobSet of(List<RuntimeStatus.Job> jobs) {
        List<RuntimeStatus.Job> sorted = jobs.stream().sorted(Comparator.comparing(RuntimeStatus.Job::id)).toList();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (RuntimeStatus.Job job : sorted) {
                // NUL separates fields and records: no id, schedule or zone contains one
                sha.update((job.id() + '\0' + job.schedule() + '\0' + job.timeZone() + '\0' + '\0')
                        .getBytes(StandardCharsets.UTF_8));
            }
            return new JobSet(sorted, HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<RuntimeStatus.Job> listed() {
        return jobs.size() <= MAX_LISTED ? jobs : jobs.subList(0, MAX_LISTED);
    }

    public boolean truncated() {
        return jobs.size() > MAX_LISTED;
    }
}
