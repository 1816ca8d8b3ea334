package io.vlitforge.ingestion.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A labelled box in COCO's pixel convention {@code [x, y, width, height]}. */
@Entity
@Table(name = "boxes")
public class BoxEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String imageId;
    public String dataset;
    public String sourceAnnotationId;
    public String category;
    public double x;
    public double y;
    public double width;
    public double height;
}
