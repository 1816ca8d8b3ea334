package io.vlitforge.publication.formats;

import io.vlitforge.shared.events.Sample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What every format writer gets: the release's name and version and its samples, already sorted by
 * sample id. Sorting once here, instead of in each writer, is what keeps the formats in the same order as
 * each other and independent of the order the accepted set was read in.
 */
public record ReleaseContent(String name, String version, List<Sample> samples, boolean referenceImages,
        Map<String, String> imageLinks) {

    /** The release folder's sub-folder holding the images (LLaVA's {@code --image_folder}). */
    public static final String IMAGE_FOLDER = "images/";
    /**
     * The store's own image folder seen from a release folder ({@code releases/<name>/<version>/}): where a
     * release that references its images instead of bundling them points.
     */
    public static final String STORE_IMAGE_FOLDER = "../../../images/";

    public ReleaseContent {
        List<Sample> ordered = new ArrayList<>(samples);
        ordered.sort(Comparator.comparing(Sample::id));
        samples = List.copyOf(ordered);
        imageLinks = imageLinks == null ? Map.of() : Map.copyOf(imageLinks);
    }

    /** A release that bundles its images (copies them into {@code images/}). */
    public ReleaseContent(String name, String version, List<Sample> samples) {
        this(name, version, samples, false, Map.of());
    }

    /** A release that bundles its images or references them by relative path. */
    public ReleaseContent(String name, String version, List<Sample> samples, boolean referenceImages) {
        this(name, version, samples, referenceImages, Map.of());
    }

    /**
     * Where a format that names images (LLaVA, ShareGPT) finds this sample's image: a download link when the
     * release was asked for links ({@code imageLinks} by object key), else its path in the image folder.
     */
    public String imageForLlava(Sample sample) {
        return imageLinks.getOrDefault(sample.imageKey(), pathInImageFolder(sample));
    }

    /** The folder images are read from, relative to the release folder. */
    public String imageFolder() {
        return referenceImages ? STORE_IMAGE_FOLDER : IMAGE_FOLDER;
    }

    /** The sample's image relative to the release folder: bundled under images/, or the store's copy. */
    public String imagePath(Sample sample) {
        String link = imageLinks.get(sample.imageKey());
        return link != null ? link : imageFolder() + pathInImageFolder(sample);
    }

    /** {@code images/aa/bb/<sha>.jpeg} in the store becomes {@code aa/bb/<sha>.jpeg} under the release's images/. */
    public static String pathInImageFolder(Sample sample) {
        String key = sample.imageKey();
        return key.startsWith(IMAGE_FOLDER) ? key.substring(IMAGE_FOLDER.length()) : key;
    }

    /** The image's path relative to the release folder, e.g. {@code images/aa/bb/<sha>.jpeg}. */
    public static String pathInRelease(Sample sample) {
        return IMAGE_FOLDER + pathInImageFolder(sample);
    }
}
