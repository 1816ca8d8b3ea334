package io.vlitforge.filtering.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** The decision on one sample, kept forever: accepted or rejected, and why. */
@Entity
@Table(name = "verdicts")
public class VerdictEntity extends PanacheEntityBase {

    @Id
    public String sampleId;

    public String imageId;
    public String task;
    public String outcome;
    public String reason;
    @Column(columnDefinition = "text")
    public String detail;
    public String contentHash;
    @Column(columnDefinition = "text")
    public String verdictsJson;
    public OffsetDateTime decidedAt;
    /** The filter chain version that decided the sample: one filtering run's funnel. */
    public String chainVersion;
    public String recipe;
    public String sourceDataset;
    @Column(columnDefinition = "text")
    public String lineageJson;
}
