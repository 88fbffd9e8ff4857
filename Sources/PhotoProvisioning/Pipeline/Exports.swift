// The pipeline sits on top of every stage; `import PhotoProvisioning` gives the executable and tests the whole
// library. The stages themselves import only PhotoModel, so the layering holds where the code is written.
@_exported import PhotoGraph
@_exported import PhotoJournal
@_exported import PhotoModel
@_exported import PhotoReports
@_exported import PhotoSources
