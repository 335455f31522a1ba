/// SpineModel: the clinical vocabulary of disc-level findings as pure values (no I/O).
enum SpineModelNamespace {}
