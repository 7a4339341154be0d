//! Work over a category's candidates on the machine's cores (a hot category holds 30,000;
//! one core, as in a small Lambda, runs it in place).

/// `f` over `items` on the machine's cores.
pub(super) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    parallel_map_chunked(items, 4_096, f)
}

/// [`parallel_map`] with at least `min_chunk` items a thread.
pub(super) fn parallel_map_chunked<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let min_chunk = min_chunk.max(1);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads == 1 || items.len() < 2 * min_chunk {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads).max(min_chunk);
    std::thread::scope(|scope| {
        let f = &f;
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    })
}
