// The base vocabulary every layer may name: dtypes, devices, backend and engine names.

/** 'fused': the model generated as C++ and compiled (the default); 'mlx': the MLX graph; 'reference': TypeScript. */
export type BackendName = 'reference' | 'mlx' | 'fused';
export type Dtype = 'float32' | 'float64';
export type Device = 'cpu' | 'gpu';
/** The transition kernel that ran, as recorded in a fit's config ('typescript' over any backend's density). */
export type EngineName = 'typescript' | 'fused-cpu' | 'fused-gpu';
