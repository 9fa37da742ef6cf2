// Package nifti reads and writes NIfTI-1 and NIfTI-2 images, the file
// format of fMRI data.
//
// ReadFile reads a whole .nii or .nii.gz image (gzip is detected from the
// content) as float64 values scaled by scl_slope and scl_inter; Open
// returns a Reader that yields a 4D run one volume at a time, and
// ReadMasked turns a run into a time-by-voxel matrix through a Mask
// without holding the whole image. WriteFile writes NIfTI-1 or NIfTI-2,
// compressed when the name ends in .gz, atomically.
//
// Supported: both byte orders; uint8, int8, int16, uint16, int32, uint32,
// int64, uint64, float32 and float64 voxels; 3D and 4D images (1D and 2D
// images are read as 3D with size-1 axes; an image with a fifth axis of
// size above 1 is rejected); the qform and sform affines (Header.QForm,
// SForm and Affine, which picks the one nibabel would); voxel sizes and the
// repetition time with their units (Header.VoxelSizeMM, Header.TR). TR
// handles files that store milliseconds under a "seconds" unit, such as
// nibabel's example4d.nii.gz, and says when it did.
//
// Not supported: .hdr/.img pairs, complex and RGB data, reading or writing
// header extensions (they are skipped on read).
//
// Every reader treats the file as untrusted: a corrupt or truncated file
// gives an error naming the file and the field at fault, never a panic, and
// sizes claimed by the header are checked against the bytes present before
// large allocations: the file's size for a .nii, what its compressed size
// may inflate to for a .nii.gz (MaxInflateRatio), and for a stream of
// unknown size memory grows with the data read. A .nii.gz is read to its
// end, so a gzip checksum mismatch or trailing garbage is an error, never
// silently changed voxels. FuzzRead and FuzzReadMasked exercise this.
//
// Headers, images and masks are plain values: safe to read from several
// goroutines, not to modify while others read. A Reader is not safe for
// concurrent use.
//
// The package is split by job: header.go (the two binary layouts),
// datatype.go (voxel types), shape.go (dimensions and scaling), units.go,
// affine.go, read.go and reader.go, write.go and mask.go.
package nifti
