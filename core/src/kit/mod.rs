//! Building blocks every module's resolvers and services repeat: the mutation and list resolver
//! shells, versioned GraphQL fields, history-then-update, and the current-row condition.
