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
    /** The annotation format read ({@code coco}, {@code vg}, ...). */
    public String format;
    public String annotationsDir;
    public String imagesDir;
    public String status;
    public int imagesSeen;
    public int imagesNew;
    public int imagesAlreadyPresent;
    public int imagesRejected;
    public int annotationsRejected;
    /** Source images whose picture was already recorded (same bytes, or the COCO image a VG image names). */
    public int imagesMerged;
    public int imagesRestored;
    public int boxesClipped;
    @jakarta.persistence.Column(name = "annotations_count")
    public int annotations;
    public OffsetDateTime startedAt;
    public OffsetDateTime finishedAt;
}
