public enum AccountsPlaceholder {}
