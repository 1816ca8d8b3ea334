package io.vlitforge.ingestion.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** One import of one folder: what it saw, added, found already present and refused. */
@Entity
@Table(name = "ingest_runs")
public class IngestRunEntity extends PanacheEntityBase {

    @Id
    public String runId;

    public String dataset;
    public String annotationsDir;
    public String imagesDir;
    public String status;
    public int imagesSeen;
    public int imagesNew;
    public int imagesAlreadyPresent;
    public int imagesRejected;
    public int annotationsRejected;
    public OffsetDateTime startedAt;
    public OffsetDateTime finishedAt;
}
