/// Store: the SQLite (GRDB) index of studies and the versioned annotation history.
enum StoreNamespace {}
