"""Services: the jobs that run stages over batches and own the store's transactions."""
