// Replaced by the Watch tests.
