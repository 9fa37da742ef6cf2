package nifti

import (
	"fmt"
	"math"
)

// Affine maps voxel indices (i, j, k, 1) to world coordinates (x, y, z) in
// millimetres: a 3x4 matrix, the last row (0 0 0 1) being implicit. A plain
// value, safe for concurrent use.
type Affine [3][4]float64

// Apply returns the world coordinates of voxel (i, j, k).
func (a Affine) Apply(i, j, k float64) [3]float64 {
	var w [3]float64
	for r := 0; r < 3; r++ {
		w[r] = a[r][0]*i + a[r][1]*j + a[r][2]*k + a[r][3]
	}
	return w
}

// Xform codes of the qform_code and sform_code fields.
const (
	XformUnknown     = 0
	XformScanner     = 1
	XformAligned     = 2
	XformTalairach   = 3
	XformMNI152      = 4
	XformTemplateOth = 5
)

// QForm returns the affine of the quaternion representation: rotation from
// quatern_b/c/d, voxel sizes from pixdim (the z axis flipped when
// pixdim[0] = qfac is negative; qfac 0 counts as 1), translation from
// qoffset. It does not look at qform_code.
func (h *Header) QForm() (Affine, error) {
	b, c, d := h.QuaternB, h.QuaternC, h.QuaternD
	for _, v := range []float64{b, c, d, h.QoffsetX, h.QoffsetY, h.QoffsetZ} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Affine{}, fmt.Errorf("nifti: qform parameters are not finite")
		}
	}
	// The quaternion is stored without its real part a, which is
	// sqrt(1 - b^2 - c^2 - d^2). Rounding in float32 files can push the sum
	// slightly above 1: within the storage precision a is taken as 0.
	eps := 2.220446049250313e-16
	if h.Version == 1 {
		eps = 1.1920929e-07
	}
	a2 := 1 - (b*b + c*c + d*d)
	var a float64
	switch {
	case a2 >= 0:
		a = math.Sqrt(a2)
	case a2 >= -eps:
		a = 0
	default:
		return Affine{}, fmt.Errorf("nifti: quaternion (b, c, d) = (%g, %g, %g) has norm above 1", b, c, d)
	}
	// Rotation matrix of the unit quaternion (a, b, c, d), normalised.
	n := a*a + b*b + c*c + d*d
	var r [3][3]float64
	if n < eps {
		r = [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	} else {
		s := 2 / n
		bs, cs, ds := b*s, c*s, d*s
		ab, ac, ad := a*bs, a*cs, a*ds
		bb, bc, bd := b*bs, b*cs, b*ds
		cc, cd, dd := c*cs, c*ds, d*ds
		r = [3][3]float64{
			{1 - (cc + dd), bc - ad, bd + ac},
			{bc + ad, 1 - (bb + dd), cd - ab},
			{bd - ac, cd + ab, 1 - (bb + cc)},
		}
	}
	qfac := 1.0
	if h.Pixdim[0] < 0 {
		qfac = -1
	}
	zoom := [3]float64{h.Pixdim[1], h.Pixdim[2], h.Pixdim[3] * qfac}
	var m Affine
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			m[i][j] = r[i][j] * zoom[j]
		}
	}
	m[0][3], m[1][3], m[2][3] = h.QoffsetX, h.QoffsetY, h.QoffsetZ
	return m, nil
}

// SForm returns the affine stored in srow_x, srow_y and srow_z. It does not
// look at sform_code.
func (h *Header) SForm() Affine {
	return Affine{h.SrowX, h.SrowY, h.SrowZ}
}

// BaseAffine is the affine used when neither sform nor qform is set: voxel
// sizes on the diagonal, x flipped (radiological convention, as Analyze
// and nibabel), and the centre of the volume at the origin.
func (h *Header) BaseAffine() Affine {
	s := h.Shape()
	var m Affine
	z := [3]float64{-math.Abs(h.Pixdim[1]), math.Abs(h.Pixdim[2]), math.Abs(h.Pixdim[3])}
	for i := 0; i < 3; i++ {
		if z[i] == 0 || math.IsNaN(z[i]) {
			z[i] = 1
			if i == 0 {
				z[i] = -1
			}
		}
		m[i][i] = z[i]
		m[i][3] = -float64(s[i]-1) / 2 * z[i]
	}
	return m
}

// Affine returns the best affine the header has, as nibabel does: the
// sform when sform_code > 0, else the qform when qform_code > 0, else the
// base affine.
func (h *Header) Affine() (Affine, error) {
	switch {
	case h.SformCode > 0:
		return h.SForm(), nil
	case h.QformCode > 0:
		return h.QForm()
	}
	return h.BaseAffine(), nil
}

// SetAffine stores a as the sform (with the given code) and, when a has a
// pure rotation with positive or negative z orientation and no shear,
// as the qform too; otherwise the qform code is set to 0. It also sets
// pixdim[1:4] to the column norms of a.
func (h *Header) SetAffine(a Affine, code int32) {
	h.SrowX, h.SrowY, h.SrowZ = a[0], a[1], a[2]
	h.SformCode = code
	var zoom [3]float64
	var r [3][3]float64
	for j := 0; j < 3; j++ {
		zoom[j] = math.Sqrt(a[0][j]*a[0][j] + a[1][j]*a[1][j] + a[2][j]*a[2][j])
		for i := 0; i < 3; i++ {
			if zoom[j] > 0 {
				r[i][j] = a[i][j] / zoom[j]
			}
		}
		h.Pixdim[j+1] = zoom[j]
	}
	det := r[0][0]*(r[1][1]*r[2][2]-r[1][2]*r[2][1]) - r[0][1]*(r[1][0]*r[2][2]-r[1][2]*r[2][0]) + r[0][2]*(r[1][0]*r[2][1]-r[1][1]*r[2][0])
	qfac := 1.0
	if det < 0 {
		qfac = -1
		for i := 0; i < 3; i++ {
			r[i][2] = -r[i][2]
		}
	}
	// Orthogonality check: R^T R must be the identity.
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			dot := r[0][i]*r[0][j] + r[1][i]*r[1][j] + r[2][i]*r[2][j]
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(dot-want) > 1e-6 {
				h.QformCode = 0
				return
			}
		}
	}
	// Quaternion from a rotation matrix (Shepperd's method on the largest
	// diagonal term), real part kept non-negative.
	tr := r[0][0] + r[1][1] + r[2][2]
	var qa, qb, qc, qd float64
	switch {
	case tr > 0:
		s := math.Sqrt(tr+1) * 2
		qa, qb, qc, qd = s/4, (r[2][1]-r[1][2])/s, (r[0][2]-r[2][0])/s, (r[1][0]-r[0][1])/s
	case r[0][0] > r[1][1] && r[0][0] > r[2][2]:
		s := math.Sqrt(1+r[0][0]-r[1][1]-r[2][2]) * 2
		qa, qb, qc, qd = (r[2][1]-r[1][2])/s, s/4, (r[0][1]+r[1][0])/s, (r[0][2]+r[2][0])/s
	case r[1][1] > r[2][2]:
		s := math.Sqrt(1+r[1][1]-r[0][0]-r[2][2]) * 2
		qa, qb, qc, qd = (r[0][2]-r[2][0])/s, (r[0][1]+r[1][0])/s, s/4, (r[1][2]+r[2][1])/s
	default:
		s := math.Sqrt(1+r[2][2]-r[0][0]-r[1][1]) * 2
		qa, qb, qc, qd = (r[1][0]-r[0][1])/s, (r[0][2]+r[2][0])/s, (r[1][2]+r[2][1])/s, s/4
	}
	if qa < 0 {
		qb, qc, qd = -qb, -qc, -qd
	}
	h.QuaternB, h.QuaternC, h.QuaternD = qb, qc, qd
	h.QoffsetX, h.QoffsetY, h.QoffsetZ = a[0][3], a[1][3], a[2][3]
	h.Pixdim[0] = qfac
	h.QformCode = code
}
