/// The research dataset a label came from.
public enum ResearchSource: String, Sendable, Hashable, CaseIterable {
    /// RSNA 2024 Lumbar Spine Degenerative Classification (`train_label_coordinates.csv` with `train.csv`).
    case rsna
    /// SPIDER (van der Graaf et al., Sci Data 2024), `radiological_gradings.csv`.
    case spider
}
